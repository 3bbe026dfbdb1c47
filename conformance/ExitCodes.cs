namespace NotifierSpec.Conformance;

/// <summary>
/// Exit codes of every `notifier` command. They follow TLC's (tlc2.output.EC.ExitStatus) so
/// TLA+ users and scripts read them the same way; one table in docs/exit-codes.md (and README.md); TraceVerdicts.Exit maps a trace verdict to them.
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Assumption = 10;      // an ASSUME is false
    public const int Deadlock = 11;        // deadlock reached
    public const int Violation = 12;       // a safety rule / invariant is violated (also: replay rejected)
    public const int Liveness = 13;        // a temporal property is violated
    public const int AssertFailed = 14;    // check: an Assert is FALSE in the next-state relation (TLC's VIOLATION_ASSERT)
    public const int OutsideSpec = 20;     // validate / refine: the trace uses a feature the TLA+ spec / spec/ does not model
    public const int Incomplete = 21;      // replay / validate / refine: the trace ends inside an operation (--allow-incomplete accepts it)
    public const int EvalFailure = 75;     // the spec could not be evaluated (TLC's FAILURE_SPEC_EVAL)
    public const int InvariantEvalFailure = 76; // an invariant could not be evaluated on a non-initial state (TLC's FAILURE_SAFETY_EVAL)
    public const int SpecError = 150;      // TLA+ spec parse or semantic error
    public const int ConfigError = 151;    // .cfg error
    public const int Interrupted = 130;    // Ctrl-C / SIGINT (128 + 2, as shells report it); "interrupted (SIGINT)" on stderr
    public const int Terminated = 143;     // SIGTERM (128 + 15); "interrupted (SIGTERM)" on stderr
    public const int Error = 255;          // bad input, bad usage, unknown command, anything else
}

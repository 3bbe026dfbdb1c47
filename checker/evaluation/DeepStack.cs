using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace NotifierSpec.Checker;

/// <summary>
/// The checker's recursive work (loading a spec, the search, the search's workers) runs on threads with a stack
/// of StackBytes, so that deeply nested expressions (5,000 terms of 1 + 1 + ..., 3,000 conjuncts) are evaluated,
/// and a runaway recursion (RECURSIVE F(_) F(n) == F(n + 1)) meets the guard (Guard.Check) long before the
/// stack ends: an evaluation error at the call, never a process killed by a .NET stack overflow. The stack is
/// reserved, not committed: a thread touches only the pages its recursion reaches.
/// </summary>
public static class DeepStack
{
    public const int StackBytes = 256 << 20;

    /// <summary>Runs f on a new thread with a stack of stackBytes (default StackBytes) and waits for it; its
    /// exception is rethrown here.</summary>
    public static T Run<T>(Func<T> f, int stackBytes = StackBytes)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var t = new Thread(() =>
        {
            try { result = f(); }
            catch (Exception e) { failure = ExceptionDispatchInfo.Capture(e); }
        }, stackBytes) { Name = "checker" };
        t.Start();
        t.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>Nested operator and function applications one evaluation may have open (F(99998) of RECURSIVE F(_)
    /// F(n) == IF n = 0 THEN 0 ELSE 1 + F(n - 1) in Init; TLC with -Xss64m evaluates F(20000) and had not
    /// finished F(100000) after 5 minutes). A count, not the stack's room, so
    /// that where the limit falls does not depend on the JIT's frame sizes (same spec, same result); it also
    /// keeps the stack shallow enough for the garbage collector's stack walks to stay cheap.</summary>
    public const int MaxDepth = 100_000;

    // the applications open on this thread: a property of the thread's own stack, like the stack itself
    [ThreadStatic] private static int t_depth;

    /// <summary>Opens one level of application (false, and nothing opened, when the limit or the stack's end is
    /// reached); every true must be matched by a Leave.</summary>
    public static bool Enter()
    {
        if (t_depth >= MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack()) return false;
        t_depth++;
        return true;
    }

    public static void Leave() => t_depth--;

    /// <summary>Whether the current thread has room for one more level of a recursion (at least 64 KB left on
    /// 64-bit .NET: enough to build and throw the error that reports it).</summary>
    public static bool HasRoom() => RuntimeHelpers.TryEnsureSufficientExecutionStack();

    /// <summary>TLC reports a Java StackOverflowError as an evaluation error at the innermost expression.</summary>
    public static string Message(string name) =>
        $"Stack overflow while evaluating {name}: the recursion is too deep (as TLC's StackOverflowError: probably a recursive definition that never reaches its base case)";
}

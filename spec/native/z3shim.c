/*
 * z3shim.c: makes the Microsoft.Z3 4.12.2 managed API usable with an older system libz3
 * (Debian 12 ships 4.8.12). Built by gcc at build time (spec/NotifierSpec.Spec.csproj, target
 * BuildZ3Shim) into the build output as libz3.so, which is the name the managed wrapper's
 * DllImport("libz3") probes first in the application directory.
 *
 * Two incompatibilities (see ../../README.md, section "spec/"):
 *  1. the wrapper calls Z3_enable_concurrent_dec_ref, which 4.8.12 lacks: stubbed here;
 *  2. the wrapper calls the *_dec_ref functions from the .NET finalizer thread, which 4.8.12
 *     does not allow (its per-context memory manager is not thread-safe): every *_dec_ref is
 *     queued here and the queued ones of a context are performed at Z3_del_context, on the
 *     thread that deletes the context (see Determinism below).
 * Every other symbol resolves from libz3.so.4 (this library is linked against it, and dlsym on
 * this library searches its dependencies).
 * Where the system libz3 already has Z3_enable_concurrent_dec_ref (4.12 and later), the real one
 * is enabled, and the dec_refs are still queued (below).
 *
 * Determinism: the queued dec_refs of a context are performed only at Z3_del_context, never in
 * between. Performed at the next inc_ref (as before), which terms were freed when was decided
 * by when the .NET GC finalized their wrappers, and a model could differ between runs of the same
 * calls: a BMC trace of the variant consult-vma-on-uffd-wp was seen to start with
 * invalidate_range_start_nonblock in 4 runs of 48 and with invalidate_range_start in the others
 * (the likely mechanism, not checked in Z3's source: a freed term's id goes to the next term
 * made, and Z3 orders terms by id in places)
 * (docs/spec.md, "Z3 on Linux"). Holding the dec_refs until the context goes makes a context's
 * terms and ids a function of the calls made on it. The cost: a context keeps the terms the
 * program dropped until it is deleted (Z3Session: one context per proof set or query).
 * The configuration parameter "z3shim_eager_release" (Z3Session's planted flag, tests only; not
 * passed to Z3) restores the release at the next inc_ref for the context created next on the
 * thread: the nondeterminism above, planted.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void *Z3_context;
typedef void *Z3_config;
typedef void (*dec_fn)(Z3_context, void *);
typedef void (*inc_fn)(Z3_context, void *);

struct pending { dec_fn fn; void *obj; };
struct ctxq {
    Z3_context ctx;
    int eager;                    /* planted: perform the queue at every inc_ref */
    struct pending *items;
    size_t count, cap;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static void *g_real;              /* handle of libz3.so.4 */
static int g_passthrough;         /* the real library supports concurrent dec_ref */
static struct ctxq *g_ctxs;       /* live contexts (created through this shim) */
static size_t g_nctx, g_capctx;
static __thread int t_eager_next; /* planted flag for the next context this thread creates */

static void *real_sym(const char *name)
{
    void *p = dlsym(g_real, name);
    if (!p) {
        fprintf(stderr, "z3shim: libz3.so.4 lacks %s\n", name);
        abort();
    }
    return p;
}

static void init_once(void)
{
    g_real = dlopen("libz3.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!g_real) {
        fprintf(stderr, "z3shim: cannot load libz3.so.4: %s\n", dlerror());
        abort();
    }
    g_passthrough = dlsym(g_real, "Z3_enable_concurrent_dec_ref") != NULL;
}

static void ensure_init(void) { pthread_once(&g_once, init_once); }

/* callers hold g_lock */
static struct ctxq *find_ctx(Z3_context c)
{
    for (size_t i = 0; i < g_nctx; i++)
        if (g_ctxs[i].ctx == c) return &g_ctxs[i];
    return NULL;
}

/* Takes the queued dec_refs of context c out of the table (caller performs them unlocked). */
static struct pending *take_pending(Z3_context c, size_t *n)
{
    struct pending *items = NULL;
    *n = 0;
    pthread_mutex_lock(&g_lock);
    struct ctxq *q = find_ctx(c);
    if (q && q->count) {
        items = q->items;
        *n = q->count;
        q->items = NULL;
        q->count = q->cap = 0;
    }
    pthread_mutex_unlock(&g_lock);
    return items;
}

static void drain(Z3_context c)
{
    /* performing a dec_ref can never enqueue (it runs here, not through the wrapper), but a
     * finalizer may enqueue concurrently: loop until the queue is empty */
    for (;;) {
        size_t n;
        struct pending *items = take_pending(c, &n);
        if (!items) return;
        for (size_t i = 0; i < n; i++) items[i].fn(c, items[i].obj);
        free(items);
    }
}

static void enqueue(Z3_context c, dec_fn fn, void *obj)
{
    pthread_mutex_lock(&g_lock);
    struct ctxq *q = find_ctx(c);
    if (q) {  /* a dec_ref for an already deleted context is dropped: its memory went with it */
        if (q->count == q->cap) {
            size_t cap = q->cap ? q->cap * 2 : 256;
            struct pending *p = realloc(q->items, cap * sizeof *p);
            if (!p) { pthread_mutex_unlock(&g_lock); fprintf(stderr, "z3shim: out of memory\n"); abort(); }
            q->items = p;
            q->cap = cap;
        }
        q->items[q->count].fn = fn;
        q->items[q->count].obj = obj;
        q->count++;
    }
    pthread_mutex_unlock(&g_lock);
}

/* ---- context lifetime ---- */

Z3_context Z3_mk_context_rc(Z3_config cfg)
{
    ensure_init();
    static Z3_context (*real)(Z3_config);
    if (!real) real = (Z3_context (*)(Z3_config))real_sym("Z3_mk_context_rc");
    Z3_context c = real(cfg);
    int eager = t_eager_next;
    t_eager_next = 0;
    if (c) {
        pthread_mutex_lock(&g_lock);
        if (g_nctx == g_capctx) {
            size_t cap = g_capctx ? g_capctx * 2 : 16;
            struct ctxq *p = realloc(g_ctxs, cap * sizeof *p);
            if (!p) { pthread_mutex_unlock(&g_lock); fprintf(stderr, "z3shim: out of memory\n"); abort(); }
            g_ctxs = p;
            g_capctx = cap;
        }
        memset(&g_ctxs[g_nctx], 0, sizeof g_ctxs[g_nctx]);
        g_ctxs[g_nctx].ctx = c;
        g_ctxs[g_nctx].eager = eager;
        g_nctx++;
        pthread_mutex_unlock(&g_lock);
    }
    return c;
}

void Z3_del_context(Z3_context c)
{
    ensure_init();
    static void (*real)(Z3_context);
    if (!real) real = (void (*)(Z3_context))real_sym("Z3_del_context");
    {
        drain(c);
        pthread_mutex_lock(&g_lock);
        for (size_t i = 0; i < g_nctx; i++)
            if (g_ctxs[i].ctx == c) {
                free(g_ctxs[i].items);
                g_ctxs[i] = g_ctxs[g_nctx - 1];
                g_nctx--;
                break;
            }
        pthread_mutex_unlock(&g_lock);
    }
    real(c);
}

/* The planted flag travels as a configuration parameter (Context's settings); Z3 never sees it. */
void Z3_set_param_value(Z3_config cfg, const char *id, const char *value)
{
    ensure_init();
    static void (*real)(Z3_config, const char *, const char *);
    if (!real) real = (void (*)(Z3_config, const char *, const char *))real_sym("Z3_set_param_value");
    if (id && strcmp(id, "z3shim_eager_release") == 0) {
        t_eager_next = value && strcmp(value, "true") == 0;
        return;
    }
    real(cfg, id, value);
}

void Z3_enable_concurrent_dec_ref(Z3_context c)
{
    ensure_init();
    if (g_passthrough) {
        void (*real)(Z3_context) = (void (*)(Z3_context))real_sym("Z3_enable_concurrent_dec_ref");
        real(c);
    }
    /* else: nothing to enable; the queue below gives the same guarantee */
}

/* ---- reference counting: every *_dec_ref is queued until Z3_del_context (planted: until the next inc_ref) ---- */

static int is_eager(Z3_context c)
{
    pthread_mutex_lock(&g_lock);
    struct ctxq *q = find_ctx(c);
    int e = q && q->eager;
    pthread_mutex_unlock(&g_lock);
    return e;
}

#define SHIM_PAIR(INC, DEC)                                                  \
    void INC(Z3_context c, void *o)                                          \
    {                                                                        \
        ensure_init();                                                       \
        static inc_fn real;                                                  \
        if (!real) real = (inc_fn)real_sym(#INC);                            \
        real(c, o); /* first: a queued dec_ref may hold o's last reference */\
        if (is_eager(c)) drain(c);                                           \
    }                                                                        \
    void DEC(Z3_context c, void *o)                                          \
    {                                                                        \
        ensure_init();                                                       \
        static dec_fn real;                                                  \
        if (!real) real = (dec_fn)real_sym(#DEC);                            \
        if (o) enqueue(c, real, o);                                          \
    }

SHIM_PAIR(Z3_inc_ref, Z3_dec_ref)
SHIM_PAIR(Z3_apply_result_inc_ref, Z3_apply_result_dec_ref)
SHIM_PAIR(Z3_ast_map_inc_ref, Z3_ast_map_dec_ref)
SHIM_PAIR(Z3_ast_vector_inc_ref, Z3_ast_vector_dec_ref)
SHIM_PAIR(Z3_fixedpoint_inc_ref, Z3_fixedpoint_dec_ref)
SHIM_PAIR(Z3_func_entry_inc_ref, Z3_func_entry_dec_ref)
SHIM_PAIR(Z3_func_interp_inc_ref, Z3_func_interp_dec_ref)
SHIM_PAIR(Z3_goal_inc_ref, Z3_goal_dec_ref)
SHIM_PAIR(Z3_model_inc_ref, Z3_model_dec_ref)
SHIM_PAIR(Z3_optimize_inc_ref, Z3_optimize_dec_ref)
SHIM_PAIR(Z3_param_descrs_inc_ref, Z3_param_descrs_dec_ref)
SHIM_PAIR(Z3_params_inc_ref, Z3_params_dec_ref)
SHIM_PAIR(Z3_probe_inc_ref, Z3_probe_dec_ref)
SHIM_PAIR(Z3_solver_inc_ref, Z3_solver_dec_ref)
SHIM_PAIR(Z3_stats_inc_ref, Z3_stats_dec_ref)
SHIM_PAIR(Z3_tactic_inc_ref, Z3_tactic_dec_ref)

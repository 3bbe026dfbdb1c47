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
 *     queued here and the queued ones of a context are performed on the thread that uses the
 *     context, right after its next *_inc_ref (after, not before: the object being
 *     inc_ref'd may be a hash-consed node whose last reference is a queued dec_ref) and at
 *     Z3_del_context.
 * Every other symbol resolves from libz3.so.4 (this library is linked against it, and dlsym on
 * this library searches its dependencies).
 * Where the system libz3 already has Z3_enable_concurrent_dec_ref (4.12 and later), the shim is
 * a transparent pass-through: no queueing at all.
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
    struct pending *items;
    size_t count, cap;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static void *g_real;              /* handle of libz3.so.4 */
static int g_passthrough;         /* the real library supports concurrent dec_ref */
static struct ctxq *g_ctxs;       /* live contexts (created through this shim) */
static size_t g_nctx, g_capctx;

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
    if (c && !g_passthrough) {
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
    if (!g_passthrough) {
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

void Z3_enable_concurrent_dec_ref(Z3_context c)
{
    ensure_init();
    if (g_passthrough) {
        void (*real)(Z3_context) = (void (*)(Z3_context))real_sym("Z3_enable_concurrent_dec_ref");
        real(c);
    }
    /* else: nothing to enable; the queue below gives the same guarantee */
}

/* ---- reference counting: every *_inc_ref drains, every *_dec_ref is queued ---- */

#define SHIM_PAIR(INC, DEC)                                                  \
    void INC(Z3_context c, void *o)                                          \
    {                                                                        \
        ensure_init();                                                       \
        static inc_fn real;                                                  \
        if (!real) real = (inc_fn)real_sym(#INC);                            \
        real(c, o); /* first: a queued dec_ref may hold o's last reference */\
        if (!g_passthrough) drain(c);                                        \
    }                                                                        \
    void DEC(Z3_context c, void *o)                                          \
    {                                                                        \
        ensure_init();                                                       \
        static dec_fn real;                                                  \
        if (!real) real = (dec_fn)real_sym(#DEC);                            \
        if (g_passthrough) real(c, o);                                       \
        else if (o) enqueue(c, real, o);                                     \
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

/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ubench: a C interface to Google Benchmark.
 *
 * The benchmarks are C, because the code they measure is C and inline; the
 * runner, its statistics and its reporters (console, JSON) are Google
 * Benchmark's. A benchmark is a function of a ubench_state, registered with
 * a name; ubench_main() parses the usual --benchmark_* flags and runs them:
 *
 *     static void
 *     bm_lookup(ubench_state *st)
 *     {
 *             setup(ubench_range(st, 0));     // not timed
 *             while (ubench_keep_running_batch(st, 256))
 *                     for (i = 0; i < 256; i++)
 *                             UBENCH_SINK(lookup(key[i]));
 *             ubench_set_items_processed(st, ubench_iterations(st));
 *     }
 *
 *     ubench_arg(ubench_register("BM_lookup", bm_lookup), 64);
 *     return ubench_main(argc, argv);
 *
 * Threads: with ubench_threads(b, n), Google Benchmark calls the function
 * from n threads at once; thread 0 is the thread that called ubench_main(),
 * the others are new threads for each run (an lcore that wants to be one
 * must call rte_thread_register() itself, and unregister before returning).
 * The timed loops of all threads start together.
 */
#ifndef UBENCH_H
#define UBENCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The running benchmark, as seen by one of its threads. */
typedef struct ubench_state ubench_state;
/** A registered benchmark, to configure before ubench_main(). */
typedef struct ubench ubench;
/** A benchmark function. */
typedef void ubench_fn(ubench_state *st);

/**
 * Keep @p v live: the compiler must compute it, and cannot fold it with the
 * next one (which also keeps a loop of independent lookups scalar, as the
 * code under test would run). Costs no instruction.
 */
#define UBENCH_SINK(v)	__asm__ volatile("" : : "r,m"(v))

/**
 * Keep the stores to the memory at @p p live (an array of results): a
 * compiler barrier that claims to read all memory. Whatever the loop
 * keeps in registers across it, it must reload after. Costs no instruction.
 */
#define UBENCH_SINK_MEM(p)	__asm__ volatile("" : : "r"(p) : "memory")

/* ------------------------------------------------------- in the bench -- */

/**
 * Run one more iteration? The timer starts on the first call and stops when
 * it returns false. Every benchmark must loop on this (or the batch form)
 * until false, unless it called ubench_skip_with_error() first.
 */
bool ubench_keep_running(ubench_state *st);

/**
 * Run @p n more iterations? Counts @p n per call, so a loop over a batch of
 * n operations makes "iterations" mean operations without paying for a call
 * per operation. May overshoot the planned count by up to @p n - 1.
 */
bool ubench_keep_running_batch(ubench_state *st, uint64_t n);

/** Iterations run so far by this thread. */
int64_t ubench_iterations(const ubench_state *st);

/** Iterations this run will make (Google Benchmark picks it per run: small
 * ones first, to estimate the time, then the one that is reported). */
int64_t ubench_max_iterations(const ubench_state *st);

/** Argument @p i of this instance (ubench_arg(), in order). */
int64_t ubench_range(const ubench_state *st, int i);

/** This thread's index, 0 .. ubench_thread_count() - 1. */
int ubench_thread_index(const ubench_state *st);

/** Number of threads running this instance. */
int ubench_thread_count(const ubench_state *st);

/** Stop / restart the timer, around work that must not be measured. */
void ubench_pause_timing(ubench_state *st);
void ubench_resume_timing(ubench_state *st);

/** Items this thread processed; reported as items_per_second (summed). */
void ubench_set_items_processed(ubench_state *st, int64_t items);

/** A user counter, reported as is (summed over threads). */
void ubench_counter(ubench_state *st, const char *name, double value);

/** A user counter divided by the measured time: a rate per second. */
void ubench_counter_rate(ubench_state *st, const char *name, double value);

/** A user counter divided by the iteration count: a cost per iteration. */
void ubench_counter_per_iteration(ubench_state *st, const char *name,
				  double value);

/** A label printed after the counters and kept in the JSON ("label"). */
void ubench_set_label(ubench_state *st, const char *label);

/**
 * Mark this run failed with a printf-style message; the loop then ends at
 * the next ubench_keep_running*() (or never starts), and ubench_main()
 * returns 1 once everything has run. The message is copied.
 */
void ubench_skip_with_error(ubench_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Has this run been marked failed? */
bool ubench_error_occurred(const ubench_state *st);

/* ------------------------------------------------------ registration -- */

/**
 * Register benchmark @p name running @p fn.
 * @return the benchmark, for the calls below; never NULL.
 */
ubench *ubench_register(const char *name, ubench_fn *fn);

/** Add an instance with one argument (ubench_range(st, 0)). */
ubench *ubench_arg(ubench *b, int64_t arg);

/** Add an instance with @p n arguments. */
ubench *ubench_args(ubench *b, const int64_t *args, int n);

/** Name the first argument in reports: "pages" gives BM_x/pages:64. */
ubench *ubench_arg_name(ubench *b, const char *name);

/** Name the arguments in reports, in order: BM_x/pages:64/stride_kib:4. */
ubench *ubench_arg_names(ubench *b, const char *const *names, int n);

/** Run every instance with @p threads threads (may be called repeatedly). */
ubench *ubench_threads(ubench *b, int threads);

/** Time with the wall clock instead of the threads' CPU time. */
ubench *ubench_use_real_time(ubench *b);

/** Run for at least @p seconds (overrides --benchmark_min_time). */
ubench *ubench_min_time(ubench *b, double seconds);

/** Run exactly @p n iterations (no calibration). */
ubench *ubench_fixed_iterations(ubench *b, int64_t n);

/** Report times in nanoseconds (default), microseconds or milliseconds. */
enum ubench_unit { UBENCH_NS, UBENCH_US, UBENCH_MS };
ubench *ubench_unit(ubench *b, enum ubench_unit unit);

/* --------------------------------------------------------------- run -- */

/**
 * Add "key": "value" to the report's context (the JSON "context" object,
 * the console header): a seed, a configuration. Before ubench_main().
 */
void ubench_add_context(const char *key, const char *value);

/**
 * Parse the --benchmark_* flags of @p argv (--benchmark_filter,
 * --benchmark_min_time, --benchmark_format=json, --benchmark_out=FILE,
 * --benchmark_out_format=json, ...), run what they select, report.
 *
 * @return 0; 1 if an argument was not recognised or a benchmark called
 *   ubench_skip_with_error().
 */
int ubench_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* UBENCH_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ubench.h over Google Benchmark. The C handles are the C++ objects
 * themselves: a ubench_state is a benchmark::State, a ubench is a
 * benchmark::internal::Benchmark; nothing is allocated here.
 */
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "ubench.h"

namespace {

/* Set by any thread of any benchmark that fails; read once at the end. */
std::atomic<bool> any_error{false};

benchmark::State &
S(ubench_state *st)
{
	return *reinterpret_cast<benchmark::State *>(st);
}

const benchmark::State &
S(const ubench_state *st)
{
	return *reinterpret_cast<const benchmark::State *>(st);
}

benchmark::internal::Benchmark *
B(ubench *b)
{
	return reinterpret_cast<benchmark::internal::Benchmark *>(b);
}

ubench *
C(benchmark::internal::Benchmark *b)
{
	return reinterpret_cast<ubench *>(b);
}

} // namespace

extern "C" {

bool
ubench_keep_running(ubench_state *st)
{
	return S(st).KeepRunning();
}

bool
ubench_keep_running_batch(ubench_state *st, uint64_t n)
{
	return S(st).KeepRunningBatch(
		static_cast<benchmark::IterationCount>(n));
}

int64_t
ubench_iterations(const ubench_state *st)
{
	return static_cast<int64_t>(S(st).iterations());
}

int64_t
ubench_max_iterations(const ubench_state *st)
{
	return static_cast<int64_t>(S(st).max_iterations);
}

int64_t
ubench_range(const ubench_state *st, int i)
{
	return S(st).range(static_cast<std::size_t>(i));
}

int
ubench_thread_index(const ubench_state *st)
{
	return S(st).thread_index();
}

int
ubench_thread_count(const ubench_state *st)
{
	return S(st).threads();
}

void
ubench_pause_timing(ubench_state *st)
{
	S(st).PauseTiming();
}

void
ubench_resume_timing(ubench_state *st)
{
	S(st).ResumeTiming();
}

void
ubench_set_items_processed(ubench_state *st, int64_t items)
{
	S(st).SetItemsProcessed(items);
}

void
ubench_counter(ubench_state *st, const char *name, double value)
{
	S(st).counters[name] = benchmark::Counter(value);
}

void
ubench_counter_rate(ubench_state *st, const char *name, double value)
{
	S(st).counters[name] = benchmark::Counter(value,
						  benchmark::Counter::kIsRate);
}

void
ubench_counter_per_iteration(ubench_state *st, const char *name, double value)
{
	S(st).counters[name] = benchmark::Counter(value,
			benchmark::Counter::kAvgIterations);
}

void
ubench_set_label(ubench_state *st, const char *label)
{
	S(st).SetLabel(label);
}

void
ubench_skip_with_error(ubench_state *st, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	std::vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	any_error.store(true, std::memory_order_relaxed);
	/* Google Benchmark copies the message into its results. */
	S(st).SkipWithError(msg);
}

bool
ubench_error_occurred(const ubench_state *st)
{
	return S(st).error_occurred();
}

ubench *
ubench_register(const char *name, ubench_fn *fn)
{
	return C(benchmark::RegisterBenchmark(name,
		[fn](benchmark::State &st) {
			fn(reinterpret_cast<ubench_state *>(&st));
		}));
}

ubench *
ubench_arg(ubench *b, int64_t arg)
{
	return C(B(b)->Arg(arg));
}

ubench *
ubench_args(ubench *b, const int64_t *args, int n)
{
	return C(B(b)->Args(std::vector<int64_t>(args, args + n)));
}

ubench *
ubench_arg_name(ubench *b, const char *name)
{
	return C(B(b)->ArgName(name));
}

ubench *
ubench_arg_names(ubench *b, const char *const *names, int n)
{
	return C(B(b)->ArgNames(std::vector<std::string>(names, names + n)));
}

ubench *
ubench_threads(ubench *b, int threads)
{
	return C(B(b)->Threads(threads));
}

ubench *
ubench_use_real_time(ubench *b)
{
	return C(B(b)->UseRealTime());
}

ubench *
ubench_min_time(ubench *b, double seconds)
{
	return C(B(b)->MinTime(seconds));
}

ubench *
ubench_fixed_iterations(ubench *b, int64_t n)
{
	return C(B(b)->Iterations(static_cast<benchmark::IterationCount>(n)));
}

ubench *
ubench_unit(ubench *b, enum ubench_unit unit)
{
	switch (unit) {
	case UBENCH_US:
		return C(B(b)->Unit(benchmark::kMicrosecond));
	case UBENCH_MS:
		return C(B(b)->Unit(benchmark::kMillisecond));
	case UBENCH_NS:
		break;
	}
	return C(B(b)->Unit(benchmark::kNanosecond));
}

void
ubench_add_context(const char *key, const char *value)
{
	benchmark::AddCustomContext(key, value);
}

int
ubench_main(int argc, char **argv)
{
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return any_error.load(std::memory_order_relaxed) ? 1 : 0;
}

} // extern "C"

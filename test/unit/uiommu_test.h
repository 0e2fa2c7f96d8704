/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the unit tests: EAL set-up for each test process, and
 * rte_malloc heap accounting.
 *
 * Criterion runs every test in its own process and calls the suite's .init
 * there, so each test gets a fresh EAL. The file prefix carries the pid so
 * that tests running in parallel keep their EAL runtime files apart.
 */
#ifndef UIOMMU_TEST_H
#define UIOMMU_TEST_H

#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <criterion/criterion.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#define SZ_4K	(1ull << 12)
#define SZ_2M	(1ull << 21)
#define SZ_1G	(1ull << 30)

#define PROT_RW		(UIOMMU_PROT_READ | UIOMMU_PROT_WRITE)
#define ACCESS_RW	(UIOMMU_ACCESS_READ | UIOMMU_ACCESS_WRITE)

/* EAL's main lcore must be a CPU this process may run on; CPU 0 is not
 * always one (containers, taskset). */
static inline int
test_first_allowed_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, &set))
				return cpu;
	return 0;
}

/* One EAL per test process: no hugepages, no PCI, one lcore, no shared
 * config files (nothing else attaches to it). */
static inline void
test_eal_init(const char *prog)
{
	char lcores[16], prefix[64];
	char *argv[] = {
		(char *)(uintptr_t)prog, "--no-huge", "-m", "512",
		"--no-pci", "--no-telemetry", "-l", lcores,
		"--no-shconf", "--log-level=lib.eal:error", prefix,
	};

	snprintf(lcores, sizeof(lcores), "%d", test_first_allowed_cpu());
	snprintf(prefix, sizeof(prefix), "--file-prefix=uiommu_test_%d",
		 (int)getpid());
	cr_assert_geq(rte_eal_init(RTE_DIM(argv), argv), 0,
		      "rte_eal_init: %s", rte_strerror(rte_errno));
}

/* --no-shconf keeps EAL's files out of the runtime directory, but EAL
 * still creates the directory: remove it, or every test leaves one. */
static inline void
test_eal_cleanup(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
}

/*
 * Under AddressSanitizer: fail the test if LeakSanitizer finds malloc'd
 * memory that nothing points to any more. Criterion 2.4 neither fails a test
 * whose process reports leaks at exit nor one whose .fini fails, so the
 * check has to run in the test body. It cannot see rte_malloc memory: see
 * test_heap_now() for that.
 */
static inline void
test_assert_no_malloc_leaks(void)
{
#ifdef __SANITIZE_ADDRESS__
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0,
		     "LeakSanitizer found leaks (report above)");
#endif
}

/*
 * What the rte_malloc heaps hold: uiommu allocates everything (objects, page
 * tables, IOTLBs, rings, the backend's rte_hash) from them, so equal counts
 * before and after prove that it freed all it took. LeakSanitizer cannot see
 * this memory (EAL carves it from its own mmap), hence this check.
 */
struct test_heap {
	uint64_t allocs;	/* live elements */
	uint64_t bytes;		/* bytes in them */
};

static inline struct test_heap
test_heap_now(void)
{
	struct rte_malloc_socket_stats st;
	struct test_heap h = { 0, 0 };
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++) {
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i),
						&st) != 0)
			continue;
		h.allocs += st.alloc_count;
		h.bytes += st.heap_allocsz_bytes;
	}
	return h;
}

#define test_heap_assert_eq(before, after, what) do {			\
	cr_assert_eq((after).allocs, (before).allocs,			\
		     "%s: %" PRIu64 " rte_malloc elements before, %"	\
		     PRIu64 " after", (what), (before).allocs,		\
		     (after).allocs);					\
	cr_assert_eq((after).bytes, (before).bytes,			\
		     "%s: %" PRIu64 " rte_malloc bytes before, %"	\
		     PRIu64 " after", (what), (before).bytes,		\
		     (after).bytes);					\
} while (0)

#endif /* UIOMMU_TEST_H */

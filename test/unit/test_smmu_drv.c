/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver half of smmu_sim (drivers/smmu_sim/smmu_drv*.c) against its
 * device model: bring-up, the stream table and CD tables that attach and
 * detach write, the rules that refuse an attachment, the command queue
 * (errors, wrap-around, CMD_SYNC), the invalidations an unmap turns into,
 * ATS, and nesting. Everything runs on one online lcore, the test thread.
 *
 * What the driver did is read three ways:
 * - its structures: the STE and CDs (struct smmu_drv_dev), read with
 *   acquire loads as the model reads them;
 * - its counters (uiommu_smmu_sim_stats_get): cmds[] for what the driver
 *   queued, hw_cmds[] for what the model consumed;
 * - the command queue's memory itself: entries from a PROD mark to the
 *   driver's PROD are exactly the commands issued in between (cmdq_since),
 *   which gives their order and their fields.
 *
 * Tests written for a bug they found say so in a comment that starts
 * "Regression:".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <criterion/criterion.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <uiommu.h>
#include <uiommu_driver.h>
#include <uiommu_smmu_sim.h>

#include "smmu_drv.h"
#include "uiommu_test.h"

#define N_PAGES		64u
/* Page i of the pool is mapped at IOVA(i), when mapped. */
#define IOVA_BASE	0x100000ull
#define IOVA(i)		(IOVA_BASE + (uint64_t)(i) * SZ_4K)
#define IPA_BASE	0x40000000ull
#define IPA(i)		(IPA_BASE + (uint64_t)(i) * SZ_4K)

#define SZ_1T		(1ull << 40)

static struct uiommu_ctx *ctx;
static struct uiommu_hw *hw;		/* default arguments */
static uint8_t *pages;			/* N_PAGES, 2 MiB aligned */

static uint8_t *
page(unsigned int i)
{
	return pages + (uint64_t)i * SZ_4K;
}

static void
suite_init(void)
{
	unsigned int i;

	test_eal_init("test_smmu_drv");
	ctx = uiommu_ctx_create(NULL);
	cr_assert_not_null(ctx, "rte_errno %d", rte_errno);
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
	hw = uiommu_hw_create(ctx, "smmu_sim", NULL);
	cr_assert_not_null(hw, "rte_errno %d", rte_errno);
	pages = rte_zmalloc("test_pages", N_PAGES * SZ_4K, SZ_2M);
	cr_assert_not_null(pages);
	/* Each page names itself in its first byte. */
	for (i = 0; i < N_PAGES; i++)
		page(i)[0] = (uint8_t)(0x80 + i);
}

/* Criterion 2.4 ignores failures in .fini: check nothing here. */
static void
suite_fini(void)
{
	uiommu_ctx_destroy(ctx);
	rte_free(pages);
	test_eal_cleanup();
}

TestSuite(smmu_hw, .init = suite_init, .fini = suite_fini, .timeout = 60);
TestSuite(smmu_attach, .init = suite_init, .fini = suite_fini, .timeout = 60);
TestSuite(smmu_rules, .init = suite_init, .fini = suite_fini, .timeout = 60);
TestSuite(smmu_cmdq, .init = suite_init, .fini = suite_fini, .timeout = 60);
TestSuite(smmu_inv, .init = suite_init, .fini = suite_fini, .timeout = 60);
TestSuite(smmu_ats, .init = suite_init, .fini = suite_fini, .timeout = 60);
TestSuite(smmu_nested, .init = suite_init, .fini = suite_fini, .timeout = 60);
TestSuite(smmu_teardown, .init = suite_init, .fini = suite_fini,
	  .timeout = 60);

/* ------------------------------------------------------ object helpers -- */

static struct uiommu_hw *
hw_new(const char *args)
{
	struct uiommu_hw *h = uiommu_hw_create(ctx, "smmu_sim", args);

	cr_assert_not_null(h, "hw_create(\"%s\"): rte_errno %d", args,
			   rte_errno);
	return h;
}

static struct smmu_drv *
drv_of(const struct uiommu_hw *h)
{
	return smmu_drv_of(h);
}

static struct smmu_drv_dev *
dd_of(const struct uiommu_dev *d)
{
	return uiommu_dev_priv(d);
}

static struct uiommu_dev *
dev_new(struct uiommu_hw *h, uint32_t sid, uint8_t pasid_bits, bool ats)
{
	struct uiommu_dev_params p = { .pasid_bits = pasid_bits, .ats = ats };
	struct uiommu_dev *d = uiommu_dev_create(h, sid, &p);

	cr_assert_not_null(d, "dev_create(%#x): rte_errno %d", sid, rte_errno);
	return d;
}

static struct uiommu_domain *
paging_new(struct uiommu_hw *h, enum uiommu_iopt_fmt fmt)
{
	struct uiommu_domain_params p = { .fmt = fmt };
	struct uiommu_domain *dom = uiommu_domain_create(h,
			UIOMMU_DOMAIN_PAGING, &p);

	cr_assert_not_null(dom, "rte_errno %d", rte_errno);
	return dom;
}

static struct uiommu_domain *
s1_new(struct uiommu_hw *h)
{
	return paging_new(h, UIOMMU_IOPT_ARM_LPAE_S1);
}

static struct uiommu_domain *
s2_new(struct uiommu_hw *h)
{
	return paging_new(h, UIOMMU_IOPT_ARM_LPAE_S2);
}

static struct uiommu_domain *
nested_new(struct uiommu_domain *parent)
{
	struct uiommu_domain *dom = uiommu_domain_create_nested(parent, NULL);

	cr_assert_not_null(dom, "rte_errno %d", rte_errno);
	return dom;
}

static struct uiommu_domain *
special_new(struct uiommu_hw *h, enum uiommu_domain_type type)
{
	struct uiommu_domain *dom = uiommu_domain_create(h, type, NULL);

	cr_assert_not_null(dom, "rte_errno %d", rte_errno);
	return dom;
}

static struct uiommu_port *
attach_ok(struct uiommu_dev *d, uint32_t pasid, struct uiommu_domain *dom)
{
	struct uiommu_port *port = pasid == UIOMMU_PASID_NONE ?
		uiommu_attach(d, dom) : uiommu_attach_pasid(d, pasid, dom);

	cr_assert_not_null(port, "attach (pasid %#x): rte_errno %d", pasid,
			   rte_errno);
	return port;
}

static void
map_ok(struct uiommu_domain *dom, uint64_t iova, const void *va,
       uint64_t size)
{
	int rc = uiommu_map(dom, iova, (void *)(uintptr_t)va, size, PROT_RW);

	cr_assert_eq(rc, 0, "map(%#" PRIx64 ", +%#" PRIx64 ") = %d", iova,
		     size, rc);
}

static void
unmap_ok(struct uiommu_domain *dom, uint64_t iova, uint64_t size)
{
	int rc = uiommu_unmap(dom, iova, size);

	cr_assert_eq(rc, 0, "unmap(%#" PRIx64 ", +%#" PRIx64 ") = %d", iova,
		     size, rc);
}

static uint64_t
iopt_root(const struct uiommu_domain *dom)
{
	struct uiommu_iopt_info info;

	cr_assert_eq(uiommu_domain_iopt_info(dom, &info), 0);
	return info.root;
}

/* Host address space that nothing uses, for mappings whose pages are never
 * touched (the IOMMU only hands the addresses back). */
struct va_area {
	void *area;
	size_t len;
};

static uint8_t *
va_reserve(struct va_area *a, uint64_t size, uint64_t align)
{
	a->len = size + align;
	a->area = mmap(NULL, a->len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	cr_assert_neq(a->area, MAP_FAILED, "mmap of %#zx bytes", a->len);
	return RTE_PTR_ALIGN_CEIL(a->area, align);
}

static void
va_release(struct va_area *a)
{
	munmap(a->area, a->len);
}

/* --------------------------------------------------- STE / CD helpers -- */

static uint64_t
ste_word(const struct uiommu_dev *d, unsigned int i)
{
	/* Acquire, as the model reads it. */
	return __atomic_load_n(&dd_of(d)->ste[i], __ATOMIC_ACQUIRE);
}

static unsigned int
ste_config(const struct uiommu_dev *d)
{
	uint64_t w0 = ste_word(d, 0);

	cr_assert(w0 & STE_0_V, "STE of sid %#x not valid", dd_of(d)->sid);
	return FIELD_GET(STE_0_CONFIG, w0);
}

/* The CD slot of @ssid, or NULL when its 2-level leaf does not exist. */
static const uint64_t *
cd_of(const struct uiommu_dev *d, uint32_t ssid)
{
	return smmu_cd_slot(dd_of(d), ssid, false, 0);
}

static bool
cd_valid(const struct uiommu_dev *d, uint32_t ssid)
{
	const uint64_t *cd = cd_of(d, ssid);

	return cd != NULL &&
	       (__atomic_load_n(&cd[0], __ATOMIC_ACQUIRE) & CD_0_V);
}

static uint16_t
cd_asid(const struct uiommu_dev *d, uint32_t ssid)
{
	const uint64_t *cd = cd_of(d, ssid);

	cr_assert_not_null(cd);
	return FIELD_GET(CD_0_ASID, cd[0]);
}

static uint64_t
cd_ttb0(const struct uiommu_dev *d, uint32_t ssid)
{
	const uint64_t *cd = cd_of(d, ssid);

	cr_assert_not_null(cd);
	return FIELD_GET(CD_1_TTB0, cd[1]) << 4;
}

/* A copy of a device's STE and whole (linear) CD table. */
struct tables_snap {
	uint64_t ste[STRTAB_STE_DWORDS];
	size_t cd_bytes;
	uint64_t *cd;
};

static void
snap_take(const struct uiommu_dev *d, struct tables_snap *s)
{
	const struct smmu_drv_dev *dd = dd_of(d);

	cr_assert_eq(dd->s1fmt, STE_S1FMT_LINEAR, "snapshots need linear CDs");
	memcpy(s->ste, dd->ste, sizeof(s->ste));
	s->cd_bytes = (size_t)CTXDESC_DWORDS * 8 << dd->s1cdmax;
	s->cd = malloc(s->cd_bytes);
	cr_assert_not_null(s->cd);
	memcpy(s->cd, dd->cd_table, s->cd_bytes);
}

/* The STE and every CD are word for word what they were. */
static void
snap_assert_same(const struct uiommu_dev *d, struct tables_snap *s,
		 const char *what)
{
	const struct smmu_drv_dev *dd = dd_of(d);
	unsigned int i;

	for (i = 0; i < STRTAB_STE_DWORDS; i++)
		cr_assert_eq(dd->ste[i], s->ste[i], "%s: STE word %u %#" PRIx64
			     ", was %#" PRIx64, what, i, dd->ste[i], s->ste[i]);
	cr_assert_eq(memcmp(dd->cd_table, s->cd, s->cd_bytes), 0,
		     "%s: the CD table changed", what);
	free(s->cd);
	s->cd = NULL;
}

/* ------------------------------------------------- counters, commands -- */

static void
stats_now(const struct uiommu_hw *h, struct uiommu_smmu_sim_stats *s)
{
	cr_assert_eq(uiommu_smmu_sim_stats_get(h, s), 0);
}

#define DELTA(s0, s1, field)	((s1).field - (s0).field)

static struct uiommu_lcore_stats
lcore_stats(const struct uiommu_hw *h)
{
	struct uiommu_lcore_stats s;

	cr_assert_eq(uiommu_hw_stats(h, rte_lcore_id(), &s), 0);
	return s;
}

/* Commands the driver wrote to its queue between a mark and now. */
#define CMD_LOG_MAX	256u

struct cmd_log {
	unsigned int n;
	uint64_t cmd[CMD_LOG_MAX][CMDQ_ENT_DWORDS];
};

static uint32_t
cmdq_mark(const struct uiommu_hw *h)
{
	return drv_of(h)->cmdq.prod;
}

static void
cmdq_since(const struct uiommu_hw *h, uint32_t mark, struct cmd_log *log)
{
	const struct smmu_drv *drv = drv_of(h);
	uint32_t log2 = drv->cmdq.log2size, p = mark;

	log->n = 0;
	while (p != drv->cmdq.prod) {
		const uint64_t *ent = &drv->cmdq.mem[smmu_queue_idx(log2, p) *
						     CMDQ_ENT_DWORDS];

		/* Older entries have been overwritten past one lap. */
		cr_assert_lt(log->n, RTE_MIN(1u << log2, CMD_LOG_MAX),
			     "more commands than the log can hold");
		log->cmd[log->n][0] = ent[0];
		log->cmd[log->n][1] = ent[1];
		log->n++;
		p = smmu_queue_inc(log2, p);
	}
}

static unsigned int
log_op(const struct cmd_log *log, unsigned int i)
{
	return FIELD_GET(CMDQ_0_OP, log->cmd[i][0]);
}

static unsigned int
log_count(const struct cmd_log *log, unsigned int op)
{
	unsigned int i, n = 0;

	for (i = 0; i < log->n; i++)
		n += log_op(log, i) == op;
	return n;
}

/* Index of the first @op at or after @from, or -1. */
static int
log_find(const struct cmd_log *log, unsigned int op, unsigned int from)
{
	unsigned int i;

	for (i = from; i < log->n; i++)
		if (log_op(log, i) == op)
			return (int)i;
	return -1;
}

/* Pages a range TLBI (TG = 4 KiB) covers, from its NUM and SCALE. */
static uint64_t
tlbi_pages(const uint64_t cmd[CMDQ_ENT_DWORDS])
{
	uint64_t num = FIELD_GET(CMDQ_TLBI_0_NUM, cmd[0]);
	uint64_t scale = FIELD_GET(CMDQ_TLBI_0_SCALE, cmd[0]);

	cr_assert_eq(FIELD_GET(CMDQ_TLBI_1_TG, cmd[1]), CMDQ_TLBI_TG_4K);
	return (num + 1) << scale;
}

/*
 * The TLBI_NH_VA range commands in @log, in order, cover exactly
 * [iova, iova + pages * 4 KiB) for @asid, each starting where the last
 * ended.
 */
static void
log_assert_ranges_cover(const struct cmd_log *log, uint16_t asid,
			uint64_t iova, uint64_t pages)
{
	uint64_t next = iova, covered = 0;
	unsigned int i;

	for (i = 0; i < log->n; i++) {
		if (log_op(log, i) != CMDQ_OP_TLBI_NH_VA)
			continue;
		cr_assert_eq(FIELD_GET(CMDQ_TLBI_0_ASID, log->cmd[i][0]), asid);
		cr_assert_eq(log->cmd[i][1] & CMDQ_TLBI_1_VA, next,
			     "range %u starts at %#" PRIx64 ", want %#" PRIx64,
			     i, log->cmd[i][1] & CMDQ_TLBI_1_VA, next);
		covered += tlbi_pages(log->cmd[i]);
		next = iova + covered * SZ_4K;
	}
	cr_assert_eq(covered, pages, "ranges cover %" PRIu64 " pages, want %"
		     PRIu64, covered, pages);
}

/* ------------------------------------------------- translation helpers -- */

static void
faults_drain(struct uiommu_hw *h)
{
	struct uiommu_fault f[16];

	while (uiommu_hw_fault_read(h, f, RTE_DIM(f)) > 0)
		;
}

static void
expect_va(const struct uiommu_port *port, uint64_t iova, const void *want,
	  const char *what)
{
	void *va;

	rte_errno = 0;
	va = uiommu_translate(port, iova, 8, UIOMMU_ACCESS_READ);
	cr_assert_eq(va, want, "%s: iova %#" PRIx64 " -> %p, want %p "
		     "(rte_errno %d)", what, iova, va, want, rte_errno);
}

/* The access faults with @reason; its fault record is consumed. */
static void
expect_fault(struct uiommu_hw *h, const struct uiommu_port *port,
	     uint64_t iova, enum uiommu_fault_reason reason, const char *what)
{
	struct uiommu_fault f[2];
	void *va;
	int n;

	faults_drain(h);
	rte_errno = 0;
	va = uiommu_translate(port, iova, 8, UIOMMU_ACCESS_READ);
	cr_assert_null(va, "%s: iova %#" PRIx64 " translated to %p", what,
		       iova, va);
	cr_assert_eq(rte_errno, EFAULT, "%s: rte_errno %d", what, rte_errno);
	n = uiommu_hw_fault_read(h, f, RTE_DIM(f));
	cr_assert_eq(n, 1, "%s: %d fault records", what, n);
	cr_assert_eq(f[0].reason, reason, "%s: fault %s, want %s", what,
		     uiommu_fault_reason_str(f[0].reason),
		     uiommu_fault_reason_str(reason));
	cr_assert_eq(f[0].iova, iova);
}

/* ============================================== 1. creation, bring-up == */

Test(smmu_hw, cmdq_arg_sets_command_queue_size)
{
	static const unsigned int sizes[] = { 2, 5, 19 };
	unsigned int i;

	for (i = 0; i < RTE_DIM(sizes); i++) {
		char args[32];
		struct uiommu_hw *h;
		uint64_t base;

		snprintf(args, sizeof(args), "cmdq=%u", sizes[i]);
		h = hw_new(args);
		base = smmu_model_read64(drv_of(h)->model, SMMU_CMDQ_BASE);
		cr_assert_eq(drv_of(h)->cmdq.log2size, sizes[i], "%s", args);
		cr_assert_eq(FIELD_GET(Q_BASE_LOG2SIZE, base), sizes[i], "%s",
			     args);
		cr_assert_eq(drv_of(h)->model->cmdq.log2size, sizes[i]);
		cr_assert_eq(uiommu_hw_destroy(h), 0);
	}
}

Test(smmu_hw, evtq_arg_sets_event_queue_size)
{
	static const unsigned int sizes[] = { 2, 19 };
	unsigned int i;

	for (i = 0; i < RTE_DIM(sizes); i++) {
		char args[32];
		struct uiommu_hw *h;
		uint64_t base;

		snprintf(args, sizeof(args), "evtq=%u", sizes[i]);
		h = hw_new(args);
		base = smmu_model_read64(drv_of(h)->model, SMMU_EVTQ_BASE);
		cr_assert_eq(drv_of(h)->evtq.log2size, sizes[i], "%s", args);
		cr_assert_eq(FIELD_GET(Q_BASE_LOG2SIZE, base), sizes[i]);
		cr_assert_eq(drv_of(h)->model->evtq.log2size, sizes[i]);
		cr_assert_eq(uiommu_hw_destroy(h), 0);
	}
}

Test(smmu_hw, strtab_arg_selects_stream_table_format)
{
	struct uiommu_hw *lin = hw_new("strtab=linear");
	struct uiommu_hw *two = hw_new("strtab=2lvl");
	uint32_t cfg;

	cfg = smmu_model_read32(drv_of(lin)->model, SMMU_STRTAB_BASE_CFG);
	cr_assert_eq(FIELD_GET(STRTAB_BASE_CFG_FMT, cfg),
		     STRTAB_BASE_CFG_FMT_LINEAR);
	cr_assert_eq(FIELD_GET(STRTAB_BASE_CFG_LOG2SIZE, cfg), 16);
	cr_assert(drv_of(lin)->strtab_linear);
	cr_assert(!drv_of(lin)->model->strtab_2lvl);

	cfg = smmu_model_read32(drv_of(two)->model, SMMU_STRTAB_BASE_CFG);
	cr_assert_eq(FIELD_GET(STRTAB_BASE_CFG_FMT, cfg),
		     STRTAB_BASE_CFG_FMT_2LVL);
	cr_assert_eq(FIELD_GET(STRTAB_BASE_CFG_SPLIT, cfg), STRTAB_SPLIT);
	cr_assert(!drv_of(two)->strtab_linear);
	cr_assert(drv_of(two)->model->strtab_2lvl);
	/* The default is two levels. */
	cr_assert(!drv_of(hw)->strtab_linear);
}

Test(smmu_hw, range_inv_arg_selects_range_tlbis)
{
	struct uiommu_hw *off = hw_new("range_inv=0");
	struct uiommu_hw *on = hw_new("range_inv=1");

	cr_assert(!drv_of(off)->range_inv);
	cr_assert(drv_of(on)->range_inv);
	cr_assert(drv_of(hw)->range_inv, "default: ranges (IDR3.RIL)");
}

Test(smmu_hw, all_keys_together_accepted)
{
	struct uiommu_hw *h = hw_new("cmdq=3,evtq=4,strtab=linear,"
				      "range_inv=0");

	cr_assert_eq(drv_of(h)->cmdq.log2size, 3);
	cr_assert_eq(drv_of(h)->evtq.log2size, 4);
	cr_assert(drv_of(h)->strtab_linear);
	cr_assert(!drv_of(h)->range_inv);
	cr_assert_eq(uiommu_hw_destroy(h), 0);
}

Test(smmu_hw, bad_args_fail_einval_and_free_everything)
{
	static const char *const bad[] = {
		"foo=1", "cmdq=1", "cmdq=20", "strtab=foo", "range_inv=2",
		"evtq=1", "evtq=20", "cmdq=", "cmdq=4x", "range_inv=yes",
		"cmdq=4,bogus=1",
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		struct test_heap before = test_heap_now(), after;
		struct uiommu_hw *h;

		rte_errno = 0;
		h = uiommu_hw_create(ctx, "smmu_sim", bad[i]);
		after = test_heap_now();
		cr_assert_null(h, "\"%s\" accepted", bad[i]);
		cr_assert_eq(rte_errno, EINVAL, "\"%s\": rte_errno %d",
			     bad[i], rte_errno);
		test_heap_assert_eq(before, after, bad[i]);
	}
	cr_assert_eq(uiommu_ctx_obj_count(ctx, UIOMMU_OBJ_HW), 1);
}

Test(smmu_hw, bring_up_enables_smmu_and_its_queues)
{
	struct smmu_model *m = drv_of(hw)->model;
	uint32_t want = CR0_SMMUEN | CR0_CMDQEN | CR0_EVTQEN |
		       CR0_PRIQEN;

	cr_assert_eq(smmu_model_read32(m, SMMU_CR0), want, "CR0 %#x",
		     smmu_model_read32(m, SMMU_CR0));
	cr_assert_eq(smmu_model_read32(m, SMMU_CR0ACK), want, "CR0ACK %#x",
		     smmu_model_read32(m, SMMU_CR0ACK));
	/* No error was left behind, and every bring-up command ran. */
	cr_assert_eq(smmu_model_read32(m, SMMU_GERROR),
		     smmu_model_read32(m, SMMU_GERRORN));
	cr_assert_eq(smmu_model_read32(m, SMMU_CMDQ_CONS),
		     smmu_model_read32(m, SMMU_CMDQ_PROD));
}

Test(smmu_hw, bring_up_invalidates_config_and_tlb_before_smmuen)
{
	struct uiommu_smmu_sim_stats s;

	stats_now(hw, &s);
	cr_assert_eq(s.hw_cmds[CMDQ_OP_CFGI_STE_RANGE], 1);
	cr_assert_eq(s.hw_cmds[CMDQ_OP_TLBI_NSNH_ALL], 1);
	cr_assert_eq(s.cmds[CMDQ_OP_CFGI_STE_RANGE], 1);
	cr_assert_eq(s.cmds[CMDQ_OP_TLBI_NSNH_ALL], 1);
	cr_assert_eq(s.cmd_errors, 0);
}

Test(smmu_hw, id_registers_advertise_the_model)
{
	struct smmu_model *m = drv_of(hw)->model;
	uint32_t idr0 = smmu_model_read32(m, SMMU_IDR0);
	uint32_t idr1 = smmu_model_read32(m, SMMU_IDR1);
	uint32_t idr5 = smmu_model_read32(m, SMMU_IDR5);

	cr_assert(idr0 & IDR0_S1P);
	cr_assert(idr0 & IDR0_S2P);
	cr_assert(idr0 & IDR0_ATS);
	cr_assert(idr0 & IDR0_PRI);
	cr_assert(idr0 & IDR0_ASID16);
	cr_assert(idr0 & IDR0_VMID16);
	cr_assert(idr0 & IDR0_CD2L);
	cr_assert_eq(FIELD_GET(IDR0_ST_LEVEL, idr0), IDR0_ST_LEVEL_2LVL);
	cr_assert_eq(FIELD_GET(IDR1_SIDSIZE, idr1), 16);
	cr_assert_eq(FIELD_GET(IDR1_SSIDSIZE, idr1), 20);
	cr_assert_eq(FIELD_GET(IDR5_OAS, idr5), IDR5_OAS_48_BIT);
	cr_assert(idr5 & IDR5_GRAN4K);
}

Test(smmu_hw, caps_report_pasid_bits_both_stages_and_ats)
{
	struct uiommu_hw_caps caps;

	cr_assert_eq(uiommu_hw_get_caps(hw, &caps), 0);
	cr_assert_eq(caps.pasid_bits, 20);
	cr_assert_eq(caps.stages, 3);
	cr_assert(caps.ats);
	cr_assert_eq(caps.ias, 48);
	cr_assert_eq(caps.oas, 48);
	cr_assert_eq(caps.tag_bits, 16);
}

/* ========================================== 2. attach and detach, STE/CD == */

Test(smmu_attach, new_device_ste_is_valid_and_aborts)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 8, false);

	cr_assert_eq(ste_config(d), STE_CONFIG_ABORT);
	cr_assert(!cd_valid(d, 0));
}

Test(smmu_attach, rid_attach_s1_programs_ste_s1_and_cd0)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 8, false);
	struct uiommu_domain *dom = s1_new(hw);
	struct uiommu_port *port;
	struct uiommu_lcore_stats l0, l1;
	uint64_t w0, w1;

	map_ok(dom, IOVA(3), page(3), SZ_4K);
	port = attach_ok(d, UIOMMU_PASID_NONE, dom);
	w0 = ste_word(d, 0);
	w1 = ste_word(d, 1);
	cr_assert_eq(ste_config(d), STE_CONFIG_S1_TRANS);
	cr_assert_eq(FIELD_GET(STE_0_S1CONTEXTPTR, w0) << 6,
		     (uintptr_t)dd_of(d)->cd_table);
	cr_assert_eq(FIELD_GET(STE_1_S1DSS, w1), STE_S1DSS_SSID0);
	cr_assert(cd_valid(d, 0));
	cr_assert_neq(cd_asid(d, 0), 0, "ASID 0 is never cached");
	cr_assert_eq(cd_ttb0(d, 0), iopt_root(dom));
	/* The CD's ASID is the port's tag: what the walk fills, the port's
	 * next lookup hits. */
	expect_va(port, IOVA(3) + 0x10, page(3) + 0x10, "first");
	l0 = lcore_stats(hw);
	expect_va(port, IOVA(3) + 0x20, page(3) + 0x20, "second");
	l1 = lcore_stats(hw);
	cr_assert_eq(l1.hits, l0.hits + 1, "the second access missed");
	cr_assert_eq(l1.misses, l0.misses);
}

Test(smmu_attach, rid_detach_aborts_ste_clears_cd0_and_flushes_asid)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 0, false);
	struct uiommu_domain *dom = s1_new(hw);
	struct uiommu_port *port = attach_ok(d, UIOMMU_PASID_NONE, dom);
	struct uiommu_smmu_sim_stats s0, s1;
	struct cmd_log log;
	uint16_t asid = cd_asid(d, 0);
	uint32_t mark;
	int i;

	stats_now(hw, &s0);
	mark = cmdq_mark(hw);
	cr_assert_eq(uiommu_detach(port), 0);
	cmdq_since(hw, mark, &log);
	stats_now(hw, &s1);

	cr_assert_eq(ste_config(d), STE_CONFIG_ABORT);
	cr_assert(!cd_valid(d, 0));
	cr_assert_eq(ste_word(d, 1), 0, "an aborting STE keeps no S1 words");
	cr_assert_geq(DELTA(s0, s1, cmds[CMDQ_OP_CFGI_STE]), 1);
	cr_assert_geq(DELTA(s0, s1, cmds[CMDQ_OP_CFGI_CD]), 1);
	cr_assert_eq(DELTA(s0, s1, hw_cmds[CMDQ_OP_CFGI_STE]),
		     DELTA(s0, s1, cmds[CMDQ_OP_CFGI_STE]));
	cr_assert_eq(DELTA(s0, s1, hw_cmds[CMDQ_OP_CFGI_CD]),
		     DELTA(s0, s1, cmds[CMDQ_OP_CFGI_CD]));
	/* The tag's last user went: its entries are flushed by ASID, and a
	 * CMD_SYNC completes that before detach returns. */
	i = log_find(&log, CMDQ_OP_TLBI_NH_ASID, 0);
	cr_assert_geq(i, 0, "no TLBI_NH_ASID at detach");
	cr_assert_eq(FIELD_GET(CMDQ_TLBI_0_ASID, log.cmd[i][0]), asid,
		     "TLBI_NH_ASID for ASID %u, the CD had %u",
		     (unsigned int)FIELD_GET(CMDQ_TLBI_0_ASID, log.cmd[i][0]),
		     asid);
	cr_assert_geq(log_find(&log, CMDQ_OP_CMD_SYNC, i), 0,
		      "no CMD_SYNC after the TLBI");
	cr_assert_eq(log_op(&log, log.n - 1), CMDQ_OP_CMD_SYNC);
	cr_assert_eq(*drv_of(hw)->sync_word, drv_of(hw)->sync_seq);
}

Test(smmu_attach, pasid_attach_programs_cd_and_s1cdmax)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 8, false);
	struct uiommu_domain *dom = s1_new(hw);
	struct uiommu_port *port;

	map_ok(dom, IOVA(5), page(5), SZ_4K);
	port = attach_ok(d, 0x17, dom);
	cr_assert_eq(ste_config(d), STE_CONFIG_S1_TRANS);
	cr_assert_eq(FIELD_GET(STE_0_S1CDMAX, ste_word(d, 0)), 8);
	cr_assert_eq(FIELD_GET(STE_0_S1FMT, ste_word(d, 0)),
		     STE_S1FMT_LINEAR);
	/* No RID attachment: requests without a PASID terminate. */
	cr_assert_eq(FIELD_GET(STE_1_S1DSS, ste_word(d, 1)),
		     STE_S1DSS_TERMINATE);
	cr_assert(cd_valid(d, 0x17));
	cr_assert(!cd_valid(d, 0));
	cr_assert(!cd_valid(d, 0x16));
	cr_assert_eq(cd_ttb0(d, 0x17), iopt_root(dom));
	expect_va(port, IOVA(5), page(5), "pasid 0x17");
}

Test(smmu_attach, pasid_with_rid_s1_uses_s1dss_ssid0)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 8, false);
	struct uiommu_domain *a = s1_new(hw), *b = s1_new(hw);
	struct uiommu_port *rid, *pas;

	map_ok(a, IOVA(1), page(1), SZ_4K);
	map_ok(b, IOVA(1), page(2), SZ_4K);
	pas = attach_ok(d, 3, b);
	rid = attach_ok(d, UIOMMU_PASID_NONE, a);
	cr_assert_eq(FIELD_GET(STE_1_S1DSS, ste_word(d, 1)), STE_S1DSS_SSID0);
	cr_assert(cd_valid(d, 0) && cd_valid(d, 3));
	cr_assert_neq(cd_asid(d, 0), cd_asid(d, 3));
	expect_va(rid, IOVA(1), page(1), "rid");
	expect_va(pas, IOVA(1), page(2), "pasid 3");
}

Test(smmu_attach, pasid_detach_clears_its_cd_only)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 8, false);
	struct uiommu_domain *dom = s1_new(hw);
	struct uiommu_port *p3 = attach_ok(d, 3, dom);
	struct uiommu_port *p4 = attach_ok(d, 4, dom);

	cr_assert_eq(uiommu_detach(p3), 0);
	cr_assert(!cd_valid(d, 3));
	cr_assert(cd_valid(d, 4));
	cr_assert_eq(ste_config(d), STE_CONFIG_S1_TRANS);
	cr_assert_eq(uiommu_detach(p4), 0);
	cr_assert(!cd_valid(d, 4));
	cr_assert_eq(ste_config(d), STE_CONFIG_ABORT);
}

Test(smmu_attach, rid_replace_translates_with_new_domain_only)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 0, false);
	struct uiommu_domain *a = s1_new(hw), *b = s1_new(hw);
	struct uiommu_port *pa, *pb;
	struct cmd_log log;
	uint16_t asid_a, asid_b;
	uint32_t mark;
	unsigned int round;
	int i;

	map_ok(a, IOVA(1), page(1), SZ_4K);
	map_ok(a, IOVA(2), page(2), SZ_4K);	/* only in a */
	map_ok(b, IOVA(1), page(9), SZ_4K);
	pa = attach_ok(d, UIOMMU_PASID_NONE, a);
	expect_va(pa, IOVA(1), page(1), "before");
	expect_va(pa, IOVA(2), page(2), "before");
	asid_a = cd_asid(d, 0);

	mark = cmdq_mark(hw);
	pb = attach_ok(d, UIOMMU_PASID_NONE, b);
	cmdq_since(hw, mark, &log);
	asid_b = cd_asid(d, 0);
	cr_assert_neq(asid_b, asid_a);
	cr_assert_eq(cd_ttb0(d, 0), iopt_root(b));
	cr_assert_eq(ste_config(d), STE_CONFIG_S1_TRANS);
	/* a's tag lost its last user: flushed. */
	i = log_find(&log, CMDQ_OP_TLBI_NH_ASID, 0);
	cr_assert_geq(i, 0);
	cr_assert_eq(FIELD_GET(CMDQ_TLBI_0_ASID, log.cmd[i][0]), asid_a);
	for (round = 0; round < 2; round++) {
		expect_va(pb, IOVA(1), page(9), "after replace");
		expect_fault(hw, pb, IOVA(2), UIOMMU_FAULT_TRANSLATION,
			     "a's page after replace");
		/* And without the port: the model's walk agrees. */
		cr_assert_eq(uiommu_hw_translate_sid(hw, 0x42,
			     UIOMMU_PASID_NONE, IOVA(1), 8, UIOMMU_ACCESS_READ),
			     page(9));
	}
}

Test(smmu_attach, identity_rid_is_ste_bypass)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 0, false);
	struct uiommu_domain *ident = special_new(hw, UIOMMU_DOMAIN_IDENTITY);
	uint64_t iova = (uintptr_t)page(4) + 0x40;

	attach_ok(d, UIOMMU_PASID_NONE, ident);
	cr_assert_eq(ste_config(d), STE_CONFIG_BYPASS);
	cr_assert(!cd_valid(d, 0));
	/* The model's walk (not the port's shortcut) passes it through. */
	cr_assert_eq(uiommu_hw_translate_sid(hw, 0x42, UIOMMU_PASID_NONE,
					     iova, 8, UIOMMU_ACCESS_WRITE),
		     page(4) + 0x40);
}

Test(smmu_attach, blocked_rid_is_ste_abort)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 0, false);
	struct uiommu_domain *dom = s1_new(hw);
	struct uiommu_domain *blk = special_new(hw, UIOMMU_DOMAIN_BLOCKED);
	struct uiommu_fault f;

	map_ok(dom, IOVA(1), page(1), SZ_4K);
	attach_ok(d, UIOMMU_PASID_NONE, dom);
	attach_ok(d, UIOMMU_PASID_NONE, blk);
	cr_assert_eq(ste_config(d), STE_CONFIG_ABORT);
	faults_drain(hw);
	rte_errno = 0;
	cr_assert_null(uiommu_hw_translate_sid(hw, 0x42, UIOMMU_PASID_NONE,
					       IOVA(1), 8,
					       UIOMMU_ACCESS_READ));
	cr_assert_eq(rte_errno, EFAULT);
	cr_assert_eq(uiommu_hw_fault_read(hw, &f, 1), 1);
	cr_assert_eq(f.reason, UIOMMU_FAULT_BLOCKED, "%s",
		     uiommu_fault_reason_str(f.reason));
}

/*
 * Regression: moving the RID from a stage-1 domain to IDENTITY (or
 * BLOCKED) once left CD 0 valid, with the old domain's ASID and TTB0.
 * While a PASID keeps the STE in S1 mode (S1DSS = BYPASS), a transaction
 * with SubstreamID 0 selected CD 0 and walked the old domain's table,
 * under an ASID the core had freed and might hand to another domain.
 */
Test(smmu_attach, identity_replacing_s1_invalidates_cd0)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 8, false);
	struct uiommu_domain *a = s1_new(hw), *b = s1_new(hw);
	struct uiommu_domain *ident = special_new(hw, UIOMMU_DOMAIN_IDENTITY);
	void *va;

	map_ok(a, IOVA(4), page(4), SZ_4K);
	attach_ok(d, UIOMMU_PASID_NONE, a);
	attach_ok(d, 3, b);
	attach_ok(d, UIOMMU_PASID_NONE, ident);
	cr_assert_eq(FIELD_GET(STE_1_S1DSS, ste_word(d, 1)), STE_S1DSS_BYPASS);
	faults_drain(hw);
	va = uiommu_hw_translate_sid(hw, 0x42, 0, IOVA(4), 8,
				     UIOMMU_ACCESS_READ);
	cr_assert_null(va, "SSID 0 still reaches the replaced domain "
		       "through a stale CD 0 (got %p)", va);
	cr_assert(!cd_valid(d, 0), "CD 0 still valid after the RID "
		  "moved to IDENTITY (ASID %u)", cd_asid(d, 0));
}

Test(smmu_attach, linear_stream_table_holds_ste_at_sid)
{
	struct uiommu_hw *h = hw_new("strtab=linear");
	struct uiommu_dev *d = dev_new(h, 0x1234, 0, false);
	struct uiommu_domain *dom = s1_new(h);
	struct uiommu_port *port;
	unsigned int i;

	cr_assert_eq(dd_of(d)->ste,
		     &drv_of(h)->strtab[0x1234 * STRTAB_STE_DWORDS]);
	for (i = 0; i < SMMU_DRV_L1_ENTRIES; i++)
		cr_assert_null(drv_of(h)->strtab_l2[i]);
	map_ok(dom, IOVA(7), page(7), SZ_4K);
	port = attach_ok(d, UIOMMU_PASID_NONE, dom);
	expect_va(port, IOVA(7), page(7), "linear");
	cr_assert_eq(uiommu_hw_translate_sid(h, 0x1234, UIOMMU_PASID_NONE,
					     IOVA(7), 8, UIOMMU_ACCESS_READ),
		     page(7));
}

Test(smmu_attach, two_level_stream_table_allocates_l2_on_demand)
{
	struct smmu_drv *drv = drv_of(hw);
	struct uiommu_dev *d1, *d2;
	struct uiommu_domain *dom = s1_new(hw);
	struct uiommu_port *p1, *p2;
	uint64_t desc;

	cr_assert_null(drv->strtab_l2[0x12]);
	d1 = dev_new(hw, 0x1234, 0, false);
	desc = drv->strtab[0x12];
	cr_assert_not_null(drv->strtab_l2[0x12]);
	cr_assert_eq(FIELD_GET(STRTAB_L1_DESC_L2PTR, desc) << 6,
		     (uintptr_t)drv->strtab_l2[0x12]);
	cr_assert_eq(FIELD_GET(STRTAB_L1_DESC_SPAN, desc), STRTAB_SPLIT + 1);
	cr_assert_eq(dd_of(d1)->ste,
		     &drv->strtab_l2[0x12][0x34 * STRTAB_STE_DWORDS]);
	cr_assert_null(drv->strtab_l2[0x13]);
	cr_assert_eq(drv->strtab[0x13], 0);
	/* A second device in another group: another L2 table. */
	d2 = dev_new(hw, 0x13ff, 0, false);
	cr_assert_not_null(drv->strtab_l2[0x13]);
	cr_assert_neq(drv->strtab_l2[0x13], drv->strtab_l2[0x12]);
	map_ok(dom, IOVA(6), page(6), SZ_4K);
	p1 = attach_ok(d1, UIOMMU_PASID_NONE, dom);
	p2 = attach_ok(d2, UIOMMU_PASID_NONE, dom);
	expect_va(p1, IOVA(6), page(6), "sid 0x1234");
	expect_va(p2, IOVA(6) + 8, page(6) + 8, "sid 0x13ff");
	/* A StreamID with no device has an invalid STE. */
	faults_drain(hw);
	cr_assert_null(uiommu_hw_translate_sid(hw, 0x1235, UIOMMU_PASID_NONE,
					       IOVA(6), 8,
					       UIOMMU_ACCESS_READ));
}

Test(smmu_attach, wide_pasid_device_uses_2lvl_cd_table_leaf_on_demand)
{
	struct uiommu_dev *d = dev_new(hw, 0x77, 16, false);
	struct smmu_drv_dev *dd = dd_of(d);
	struct uiommu_domain *dom = s1_new(hw);
	struct uiommu_port *port;
	const uint32_t pasid = 0x1234;
	const unsigned int l1 = pasid >> CTXDESC_SPLIT_64K;
	unsigned int i;

	cr_assert_eq(dd->s1fmt, STE_S1FMT_64K_L2);
	for (i = 0; i < SMMU_DRV_CD_L1_MAX; i++)
		cr_assert_null(dd->cd_leaf[i], "leaf %u before any attach", i);
	map_ok(dom, IOVA(8), page(8), SZ_4K);
	port = attach_ok(d, pasid, dom);
	cr_assert_eq(FIELD_GET(STE_0_S1FMT, ste_word(d, 0)), STE_S1FMT_64K_L2);
	cr_assert_eq(FIELD_GET(STE_0_S1CDMAX, ste_word(d, 0)), 16);
	cr_assert_eq(FIELD_GET(STE_0_S1CONTEXTPTR, ste_word(d, 0)) << 6,
		     (uintptr_t)dd->cd_table);
	for (i = 0; i < SMMU_DRV_CD_L1_MAX; i++) {
		if (i == l1)
			continue;
		cr_assert_null(dd->cd_leaf[i], "leaf %u allocated", i);
		if (i < (1u << (16 - CTXDESC_SPLIT_64K)))
			cr_assert_eq(dd->cd_table[i], 0, "L1 desc %u", i);
	}
	cr_assert_not_null(dd->cd_leaf[l1]);
	cr_assert(dd->cd_table[l1] & CTXDESC_L1_DESC_V);
	cr_assert_eq(FIELD_GET(CTXDESC_L1_DESC_L2PTR, dd->cd_table[l1]) << 12,
		     (uintptr_t)dd->cd_leaf[l1]);
	cr_assert(cd_valid(d, pasid));
	expect_va(port, IOVA(8), page(8), "pasid 0x1234");
	/* Another PASID in the same leaf adds no leaf; one elsewhere does. */
	attach_ok(d, pasid + 1, dom);
	cr_assert_null(dd->cd_leaf[0]);
	attach_ok(d, UIOMMU_PASID_NONE, dom);
	cr_assert_not_null(dd->cd_leaf[0], "CD 0's leaf");
	cr_assert(cd_valid(d, 0));
}

/* ===================================================== 3. attach rules == */

Test(smmu_rules, pasid_zero_fails_einval_tables_unchanged)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 8, false);
	struct uiommu_domain *a = s1_new(hw), *b = s1_new(hw);
	struct tables_snap snap;

	attach_ok(d, UIOMMU_PASID_NONE, a);
	attach_ok(d, 5, a);
	snap_take(d, &snap);
	rte_errno = 0;
	cr_assert_null(uiommu_attach_pasid(d, 0, b));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	snap_assert_same(d, &snap, "PASID 0");
}

Test(smmu_rules, pasid_on_stage2_domain_fails_einval_tables_unchanged)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 8, false);
	struct uiommu_domain *a = s1_new(hw), *s2 = s2_new(hw);
	struct tables_snap snap;

	attach_ok(d, 2, a);
	snap_take(d, &snap);
	rte_errno = 0;
	cr_assert_null(uiommu_attach_pasid(d, 3, s2));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	snap_assert_same(d, &snap, "PASID on stage 2");
}

Test(smmu_rules, rid_stage2_with_pasid_attached_fails_einval_unchanged)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 8, false);
	struct uiommu_domain *a = s1_new(hw), *s2 = s2_new(hw);
	struct uiommu_port *pas;
	struct tables_snap snap;

	map_ok(a, IOVA(2), page(2), SZ_4K);
	pas = attach_ok(d, 6, a);
	snap_take(d, &snap);
	rte_errno = 0;
	cr_assert_null(uiommu_attach(d, s2));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	snap_assert_same(d, &snap, "RID stage 2 over a PASID");
	expect_va(pas, IOVA(2), page(2), "the PASID still translates");
}

Test(smmu_rules, nested_pasid_other_parent_fails_einval_unchanged)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 8, false);
	struct uiommu_domain *p1 = s2_new(hw), *p2 = s2_new(hw);
	struct uiommu_domain *n1 = nested_new(p1), *n2 = nested_new(p2);
	struct tables_snap snap;

	attach_ok(d, UIOMMU_PASID_NONE, n1);
	cr_assert_eq(ste_config(d), STE_CONFIG_NESTED);
	snap_take(d, &snap);
	rte_errno = 0;
	cr_assert_null(uiommu_attach_pasid(d, 4, n2));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	snap_assert_same(d, &snap, "nested PASID, other parent");
	/* Same parent is fine. */
	attach_ok(d, 4, nested_new(p1));
}

Test(smmu_rules, sid_wider_than_16_bits_fails_einval)
{
	struct test_heap before = test_heap_now(), after;

	rte_errno = 0;
	cr_assert_null(uiommu_dev_create(hw, 0x10000, NULL));
	cr_assert_eq(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	after = test_heap_now();
	test_heap_assert_eq(before, after, "failed dev_create");
	dev_new(hw, 0xffff, 0, false);
}

/* ===================================================== 4. command queue == */

/*
 * Queue @bad, then a valid TLBI_NH_ASID, then sync: the model stops on
 * @bad, the driver replaces it with a CMD_SYNC and acknowledges, and the
 * TLBI behind it still runs.
 */
static void
cmdq_error_is_skipped(const uint64_t bad[CMDQ_ENT_DWORDS])
{
	struct smmu_drv *drv = drv_of(hw);
	struct smmu_model *m = drv->model;
	struct uiommu_smmu_sim_stats s0, s1;
	struct smmu_cmd tlbi = { .opcode = CMDQ_OP_TLBI_NH_ASID, .asid = 0 };
	unsigned int bad_op = FIELD_GET(CMDQ_0_OP, bad[0]);
	uint64_t model_errs0 = m->stats.cmd_errors;
	uint32_t cons, prod;
	int rc;

	cr_assert_neq(smmu_model_cmd_check(m, bad), 0, "the command is legal");
	stats_now(hw, &s0);
	pthread_mutex_lock(&drv->cmdq_lock);
	rc = smmu_cmdq_add_raw(drv, bad);
	if (rc == 0)
		rc = smmu_cmdq_add(drv, &tlbi);
	if (rc == 0)
		rc = smmu_cmdq_sync(drv);
	pthread_mutex_unlock(&drv->cmdq_lock);
	stats_now(hw, &s1);

	cr_assert_eq(rc, 0);
	cr_assert_eq(DELTA(s0, s1, cmd_errors), 1);
	cr_assert_eq(m->stats.cmd_errors - model_errs0, 1);
	cr_assert_eq(smmu_model_read32(m, SMMU_GERROR),
		     smmu_model_read32(m, SMMU_GERRORN), "CMDQ_ERR active");
	cr_assert_eq(DELTA(s0, s1, cmds[bad_op]),
		     1 + (bad_op == CMDQ_OP_CMD_SYNC) +
		     (bad_op == CMDQ_OP_TLBI_NH_ASID));
	cr_assert_eq(DELTA(s0, s1, hw_cmds[CMDQ_OP_TLBI_NH_ASID]), 1,
		     "the TLBI after the bad command did not run");
	/* The replacement CMD_SYNC and ours. */
	cr_assert_eq(DELTA(s0, s1, hw_cmds[CMDQ_OP_CMD_SYNC]), 2);
	if (bad_op != CMDQ_OP_CMD_SYNC && bad_op != CMDQ_OP_TLBI_NH_ASID)
		cr_assert_eq(DELTA(s0, s1, hw_cmds[bad_op]), 0);
	cons = smmu_model_read32(m, SMMU_CMDQ_CONS);
	prod = smmu_model_read32(m, SMMU_CMDQ_PROD);
	cr_assert_eq(cons, prod, "CONS %#x, PROD %#x", cons, prod);
	cr_assert_eq(FIELD_GET(CMDQ_CONS_ERR, cons), 0);
	cr_assert_eq(prod, drv->cmdq.prod);
	cr_assert_eq(*drv->sync_word, drv->sync_seq);
	cr_assert(!m->cmdq_stalled);
}

Test(smmu_cmdq, unknown_opcode_is_skipped_and_later_commands_run)
{
	const uint64_t bad[CMDQ_ENT_DWORDS] = { 0xff, 0 };

	cmdq_error_is_skipped(bad);
}

Test(smmu_cmdq, reserved_bit_is_skipped_and_later_commands_run)
{
	/* CFGI_STE with bit 8 of word 0 set: not a field of the command. */
	const uint64_t bad[CMDQ_ENT_DWORDS] = {
		CMDQ_OP_CFGI_STE | (1ull << 8) |
		FIELD_PREP(CMDQ_CFGI_0_SID, 0x42), CMDQ_CFGI_1_LEAF,
	};

	cmdq_error_is_skipped(bad);
}

Test(smmu_cmdq, sync_cs3_is_skipped_and_later_commands_run)
{
	const uint64_t bad[CMDQ_ENT_DWORDS] = {
		CMDQ_OP_CMD_SYNC | FIELD_PREP(CMDQ_SYNC_0_CS, 3), 0,
	};

	cmdq_error_is_skipped(bad);
}

Test(smmu_cmdq, errors_back_to_back_are_each_skipped)
{
	struct smmu_drv *drv = drv_of(hw);
	struct smmu_model *m = drv->model;
	const uint64_t bad[CMDQ_ENT_DWORDS] = { 0xfe, 0 };
	struct smmu_cmd tlbi = { .opcode = CMDQ_OP_TLBI_NH_ASID };
	struct uiommu_smmu_sim_stats s0, s1;
	int rc = 0, i;

	stats_now(hw, &s0);
	pthread_mutex_lock(&drv->cmdq_lock);
	for (i = 0; i < 3 && rc == 0; i++)
		rc = smmu_cmdq_add_raw(drv, bad);
	if (rc == 0)
		rc = smmu_cmdq_add(drv, &tlbi);
	if (rc == 0)
		rc = smmu_cmdq_sync(drv);
	pthread_mutex_unlock(&drv->cmdq_lock);
	stats_now(hw, &s1);
	cr_assert_eq(rc, 0);
	cr_assert_eq(DELTA(s0, s1, cmd_errors), 3);
	cr_assert_eq(DELTA(s0, s1, hw_cmds[CMDQ_OP_TLBI_NH_ASID]), 1);
	cr_assert_eq(smmu_model_read32(m, SMMU_CMDQ_CONS),
		     smmu_model_read32(m, SMMU_CMDQ_PROD));
	cr_assert_eq(smmu_model_read32(m, SMMU_GERROR),
		     smmu_model_read32(m, SMMU_GERRORN));
}

Test(smmu_cmdq, wrap_around_consumes_every_command_exactly_once)
{
	static const struct smmu_cmd mix[] = {
		{ .opcode = CMDQ_OP_CFGI_STE, .sid = 7, .leaf = true },
		{ .opcode = CMDQ_OP_TLBI_NH_ASID, .asid = 0 },
		{ .opcode = CMDQ_OP_CFGI_CD, .sid = 7, .ssid = 3, .leaf = true },
		{ .opcode = CMDQ_OP_PREFETCH_CFG, .sid = 9 },
		{ .opcode = CMDQ_OP_TLBI_NH_VA, .asid = 0, .addr = 0x5000,
		  .leaf = true },
		{ .opcode = CMDQ_OP_CFGI_CD_ALL, .sid = 7 },
	};
	/* A batch is the mix and its CMD_SYNC: 7 entries in a queue of 4. */
	const unsigned int batches = 700, batch = RTE_DIM(mix);
	struct uiommu_hw *h = hw_new("cmdq=2");
	struct smmu_drv *drv = drv_of(h);
	struct smmu_model *m = drv->model;
	struct uiommu_smmu_sim_stats s0, s1;
	unsigned int b, i, op;
	uint32_t seq0;
	int rc = 0;

	cr_assert_eq(drv->cmdq.log2size, 2);
	stats_now(h, &s0);
	seq0 = drv->sync_seq;
	for (b = 0; b < batches && rc == 0; b++) {
		pthread_mutex_lock(&drv->cmdq_lock);
		for (i = 0; i < batch && rc == 0; i++)
			rc = smmu_cmdq_add(drv, &mix[i]);
		if (rc == 0)
			rc = smmu_cmdq_sync(drv);
		pthread_mutex_unlock(&drv->cmdq_lock);
		cr_assert_eq(rc, 0, "batch %u", b);
		cr_assert_eq(__atomic_load_n(drv->sync_word, __ATOMIC_ACQUIRE),
			     drv->sync_seq, "batch %u: MSI word %u, seq %u", b,
			     *drv->sync_word, drv->sync_seq);
		cr_assert_eq(drv->sync_seq, seq0 + b + 1);
	}
	stats_now(h, &s1);

	for (op = 0; op < UIOMMU_SMMU_CMD_OPS; op++)
		cr_assert_eq(DELTA(s0, s1, hw_cmds[op]),
			     DELTA(s0, s1, cmds[op]), "opcode %#x: issued %"
			     PRIu64 ", consumed %" PRIu64, op,
			     DELTA(s0, s1, cmds[op]),
			     DELTA(s0, s1, hw_cmds[op]));
	for (i = 0; i < batch; i++)
		cr_assert_geq(DELTA(s0, s1, hw_cmds[mix[i].opcode]), batches);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_CFGI_STE]), batches);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_CMD_SYNC]), batches);
	cr_assert_eq(DELTA(s0, s1, cmd_errors), 0);
	/*
	 * The model consumes in the ringing thread, so every doorbell empties
	 * the queue: in each batch of 7 entries the 5th finds it full, once.
	 * Each doorbell is a full queue or a sync.
	 */
	cr_assert_eq(DELTA(s0, s1, queue_full), batches * (batch / 4));
	cr_assert_eq(DELTA(s0, s1, doorbells),
		     DELTA(s0, s1, queue_full) + batches);
	cr_assert_eq(smmu_model_read32(m, SMMU_CMDQ_CONS),
		     smmu_model_read32(m, SMMU_CMDQ_PROD));
	cr_assert_eq(smmu_model_read32(m, SMMU_CMDQ_PROD), drv->cmdq.prod);
}

Test(smmu_cmdq, sync_without_new_commands_issues_nothing)
{
	struct smmu_drv *drv = drv_of(hw);
	struct uiommu_smmu_sim_stats s0, s1;
	uint32_t seq0 = drv->sync_seq;
	int rc;

	stats_now(hw, &s0);
	pthread_mutex_lock(&drv->cmdq_lock);
	rc = smmu_cmdq_sync(drv);
	pthread_mutex_unlock(&drv->cmdq_lock);
	stats_now(hw, &s1);
	cr_assert_eq(rc, 0);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_CMD_SYNC]), 0);
	cr_assert_eq(DELTA(s0, s1, doorbells), 0);
	cr_assert_eq(drv->sync_seq, seq0);
}

Test(smmu_cmdq, sync_completion_word_carries_each_sequence_number)
{
	struct smmu_drv *drv = drv_of(hw);
	struct smmu_cmd cmd = { .opcode = CMDQ_OP_CFGI_STE, .sid = 1 };
	struct cmd_log log;
	unsigned int i;

	for (i = 0; i < 20; i++) {
		uint32_t mark = cmdq_mark(hw), seq = drv->sync_seq;
		int k;

		cr_assert_eq(smmu_cmdq_issue_sync(drv, &cmd), 0);
		cmdq_since(hw, mark, &log);
		cr_assert_eq(drv->sync_seq, seq + 1);
		cr_assert_eq(*drv->sync_word, seq + 1);
		k = log_find(&log, CMDQ_OP_CMD_SYNC, 0);
		cr_assert_eq(k, 1);
		cr_assert_eq(FIELD_GET(CMDQ_SYNC_0_CS, log.cmd[k][0]),
			     CMDQ_SYNC_CS_IRQ);
		cr_assert_eq(FIELD_GET(CMDQ_SYNC_0_MSIDATA, log.cmd[k][0]),
			     seq + 1);
		cr_assert_eq(log.cmd[k][1] & CMDQ_SYNC_1_MSIADDR,
			     (uintptr_t)drv->sync_word);
	}
}

/* ========================================= 5. batching, smallest TLBIs == */

/* A device at @sid attached (RID) to a new stage-1 domain on @h. */
struct s1_fixture {
	struct uiommu_dev *dev;
	struct uiommu_domain *dom;
	struct uiommu_port *port;
	uint16_t asid;
};

static void
s1_fixture(struct uiommu_hw *h, uint32_t sid, struct s1_fixture *f)
{
	f->dev = dev_new(h, sid, 0, false);
	f->dom = s1_new(h);
	f->port = attach_ok(f->dev, UIOMMU_PASID_NONE, f->dom);
	f->asid = cd_asid(f->dev, 0);
}

/* Unmap [iova, +pages) and return what it issued, with the counters. */
static void
unmap_logged(struct uiommu_hw *h, struct uiommu_domain *dom, uint64_t iova,
	     uint64_t pages, struct cmd_log *log,
	     struct uiommu_smmu_sim_stats *s0, struct uiommu_smmu_sim_stats *s1)
{
	uint32_t mark;

	stats_now(h, s0);
	mark = cmdq_mark(h);
	unmap_ok(dom, iova, pages * SZ_4K);
	cmdq_since(h, mark, log);
	stats_now(h, s1);
}

static void
unmap_pages_ranges(uint64_t pages, unsigned int want_ranges)
{
	struct s1_fixture f;
	struct uiommu_smmu_sim_stats s0, s1;
	struct cmd_log log;
	unsigned int i;

	s1_fixture(hw, 0x42, &f);
	map_ok(f.dom, IOVA(0), page(0), pages * SZ_4K);
	for (i = 0; i < pages; i++)
		expect_va(f.port, IOVA(i), page(i), "before unmap");
	unmap_logged(hw, f.dom, IOVA(0), pages, &log, &s0, &s1);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_VA]), want_ranges,
		     "%" PRIu64 " pages: %" PRIu64 " TLBI_NH_VA, want %u",
		     pages, DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_VA]),
		     want_ranges);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_ASID]), 0);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_CMD_SYNC]), 1);
	cr_assert_eq(log.n, want_ranges + 1);
	cr_assert_eq(log_count(&log, CMDQ_OP_TLBI_NH_VA), want_ranges);
	cr_assert_eq(log_op(&log, log.n - 1), CMDQ_OP_CMD_SYNC);
	log_assert_ranges_cover(&log, f.asid, IOVA(0), pages);
	for (i = 0; i < pages; i++)
		expect_fault(hw, f.port, IOVA(i), UIOMMU_FAULT_TRANSLATION,
			     "after unmap");
}

Test(smmu_inv, unmap_32_pages_is_one_range_tlbi_and_one_sync)
{
	unmap_pages_ranges(32, 1);
}

Test(smmu_inv, unmap_33_pages_is_two_range_tlbis_and_one_sync)
{
	unmap_pages_ranges(33, 2);
}

Test(smmu_inv, unmap_one_page_is_one_range_tlbi)
{
	unmap_pages_ranges(1, 1);
}

Test(smmu_inv, unmap_63_pages_is_two_range_tlbis)
{
	/* 31 pages at scale 0, then 32 at scale 5. */
	unmap_pages_ranges(63, 2);
}

/*
 * Unmap @pages of host address space nobody touches (the pages are never
 * dereferenced) and check the TLBI_NH_VA / TLBI_NH_ASID counts.
 */
static void
unmap_large_commands(uint64_t pages, unsigned int want_va,
		     unsigned int want_asid)
{
	const uint64_t iova = SZ_1G;
	struct uiommu_smmu_sim_stats s0, s1;
	struct s1_fixture f;
	struct va_area area;
	struct cmd_log log;
	uint8_t *va;
	int i;

	s1_fixture(hw, 0x42, &f);
	va = va_reserve(&area, pages * SZ_4K, SZ_1G);
	map_ok(f.dom, iova, va, pages * SZ_4K);
	expect_va(f.port, iova + (pages - 1) * SZ_4K, va + (pages - 1) * SZ_4K,
		  "last page");
	unmap_logged(hw, f.dom, iova, pages, &log, &s0, &s1);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_VA]), want_va,
		     "%" PRIu64 " pages: %" PRIu64 " TLBI_NH_VA, want %u",
		     pages, DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_VA]), want_va);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_ASID]), want_asid);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_CMD_SYNC]), 1);
	if (want_va != 0)
		log_assert_ranges_cover(&log, f.asid, iova, pages);
	i = log_find(&log, CMDQ_OP_TLBI_NH_ASID, 0);
	if (want_asid != 0)
		cr_assert_eq(FIELD_GET(CMDQ_TLBI_0_ASID, log.cmd[i][0]),
			     f.asid);
	expect_fault(hw, f.port, iova + (pages - 1) * SZ_4K,
		     UIOMMU_FAULT_TRANSLATION, "after unmap");
	va_release(&area);
}

Test(smmu_inv, unmap_needing_4_ranges_issues_4_range_tlbis)
{
	/* Bits 0, 5, 10, 15: one range command each. */
	unmap_large_commands(1 + (1u << 5) + (1u << 10) + (1u << 15), 4, 0);
}

Test(smmu_inv, unmap_needing_5_ranges_issues_one_tlbi_asid)
{
	unmap_large_commands(1 + (1u << 5) + (1u << 10) + (1u << 15) +
			     (1u << 20), 0, 1);
}

/*
 * Regression: a range of 2^32 pages (16 TiB, possible with a 48-bit IAS)
 * needs SCALE 32, which the 5-bit field once truncated to 0: the one
 * command issued invalidated a single page and the rest of the range stayed
 * in the IOTLB after a "strict" unmap. Such a range takes the by-context
 * command.
 */
Test(smmu_inv, unmap_16tib_range_invalidates_all_of_it)
{
	const uint64_t iova = 16 * SZ_1T, size = 16 * SZ_1T;
	const uint64_t probe = iova + 5 * SZ_1G + 0x10;
	struct uiommu_smmu_sim_stats s0, s1;
	struct s1_fixture f;
	struct va_area area;
	struct cmd_log log;
	uint8_t *va;
	void *got;

	s1_fixture(hw, 0x42, &f);
	va = va_reserve(&area, size, SZ_1G);
	map_ok(f.dom, iova, va, size);
	expect_va(f.port, probe, va + (probe - iova), "before unmap");
	unmap_logged(hw, f.dom, iova, size / SZ_4K, &log, &s0, &s1);
	faults_drain(hw);
	got = uiommu_translate(f.port, probe, 8, UIOMMU_ACCESS_READ);
	cr_assert_null(got, "%#" PRIx64 " still translates to %p after "
		       "unmapping 16 TiB (TLBI SCALE overflow: %" PRIu64
		       " TLBI_NH_VA, %" PRIu64 " TLBI_NH_ASID)", probe, got,
		       DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_VA]),
		       DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_ASID]));
	va_release(&area);
}

Test(smmu_inv, no_range_inv_unmap_4_pages_is_per_page_tlbis)
{
	struct uiommu_hw *h = hw_new("range_inv=0");
	struct uiommu_smmu_sim_stats s0, s1;
	struct s1_fixture f;
	struct cmd_log log;
	unsigned int i;

	s1_fixture(h, 0x42, &f);
	map_ok(f.dom, IOVA(0), page(0), 4 * SZ_4K);
	for (i = 0; i < 4; i++)
		expect_va(f.port, IOVA(i), page(i), "before");
	unmap_logged(h, f.dom, IOVA(0), 4, &log, &s0, &s1);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_VA]), 4);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_ASID]), 0);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_CMD_SYNC]), 1);
	cr_assert_eq(log.n, 5);
	for (i = 0; i < 4; i++) {
		cr_assert_eq(log_op(&log, i), CMDQ_OP_TLBI_NH_VA);
		cr_assert_eq(log.cmd[i][1] & CMDQ_TLBI_1_VA, IOVA(i));
		cr_assert_eq(FIELD_GET(CMDQ_TLBI_1_TG, log.cmd[i][1]), 0,
			     "no range without RIL");
		cr_assert_eq(FIELD_GET(CMDQ_TLBI_0_ASID, log.cmd[i][0]),
			     f.asid);
	}
	for (i = 0; i < 4; i++)
		expect_fault(h, f.port, IOVA(i), UIOMMU_FAULT_TRANSLATION,
			     "after unmap");
}

Test(smmu_inv, no_range_inv_unmap_5_pages_is_one_tlbi_asid)
{
	struct uiommu_hw *h = hw_new("range_inv=0");
	struct uiommu_smmu_sim_stats s0, s1;
	struct s1_fixture f;
	struct cmd_log log;
	unsigned int i;

	s1_fixture(h, 0x42, &f);
	map_ok(f.dom, IOVA(0), page(0), 5 * SZ_4K);
	for (i = 0; i < 5; i++)
		expect_va(f.port, IOVA(i), page(i), "before");
	unmap_logged(h, f.dom, IOVA(0), 5, &log, &s0, &s1);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_VA]), 0);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_ASID]), 1);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_CMD_SYNC]), 1);
	cr_assert_eq(log.n, 2);
	cr_assert_eq(FIELD_GET(CMDQ_TLBI_0_ASID, log.cmd[0][0]), f.asid);
	for (i = 0; i < 5; i++)
		expect_fault(h, f.port, IOVA(i), UIOMMU_FAULT_TRANSLATION,
			     "after unmap");
}

Test(smmu_inv, stage2_unmap_issues_tlbi_s2_ipa_for_the_vmid)
{
	struct uiommu_dev *d = dev_new(hw, 0x42, 0, false);
	struct uiommu_domain *s2 = s2_new(hw);
	struct uiommu_smmu_sim_stats s0, s1;
	struct uiommu_port *port;
	struct cmd_log log;
	uint16_t vmid;

	map_ok(s2, IOVA(0), page(0), 8 * SZ_4K);
	port = attach_ok(d, UIOMMU_PASID_NONE, s2);
	cr_assert_eq(ste_config(d), STE_CONFIG_S2_TRANS);
	cr_assert_eq(FIELD_GET(STE_3_S2TTB, ste_word(d, 3)) << 4,
		     iopt_root(s2));
	vmid = FIELD_GET(STE_2_S2VMID, ste_word(d, 2));
	cr_assert_neq(vmid, 0);
	expect_va(port, IOVA(2), page(2), "before");
	unmap_logged(hw, s2, IOVA(2), 3, &log, &s0, &s1);
	/* 3 pages: one range, NUM 2 at SCALE 0. */
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_S2_IPA]), 1);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_VA]), 0);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_CMD_SYNC]), 1);
	cr_assert_eq(log.n, 2);
	cr_assert_eq(log_op(&log, 0), CMDQ_OP_TLBI_S2_IPA);
	cr_assert_eq(FIELD_GET(CMDQ_TLBI_0_VMID, log.cmd[0][0]), vmid);
	cr_assert_eq(log.cmd[0][1] & CMDQ_TLBI_1_IPA, IOVA(2));
	cr_assert_eq(tlbi_pages(log.cmd[0]), 3);
	expect_fault(hw, port, IOVA(2), UIOMMU_FAULT_TRANSLATION, "after");
	expect_fault(hw, port, IOVA(4), UIOMMU_FAULT_TRANSLATION, "after");
	expect_va(port, IOVA(5), page(5), "beyond the range");
}

Test(smmu_inv, inv_domain_issues_one_tlbi_asid_and_one_sync)
{
	struct uiommu_smmu_sim_stats s0, s1;
	struct uiommu_lcore_stats l0, l1;
	struct s1_fixture f;
	struct cmd_log log;
	uint32_t mark;

	s1_fixture(hw, 0x42, &f);
	map_ok(f.dom, IOVA(3), page(3), SZ_4K);
	expect_va(f.port, IOVA(3), page(3), "fill");
	stats_now(hw, &s0);
	mark = cmdq_mark(hw);
	cr_assert_eq(uiommu_inv_domain(f.dom), 0);
	cmdq_since(hw, mark, &log);
	stats_now(hw, &s1);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_ASID]), 1);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_CMD_SYNC]), 1);
	cr_assert_eq(log.n, 2);
	cr_assert_eq(FIELD_GET(CMDQ_TLBI_0_ASID, log.cmd[0][0]), f.asid);
	/* The entry is gone: the next access walks again. */
	l0 = lcore_stats(hw);
	expect_va(f.port, IOVA(3), page(3), "refill");
	l1 = lcore_stats(hw);
	cr_assert_eq(l1.misses, l0.misses + 1);
}

Test(smmu_inv, unmap_of_detached_domain_issues_no_tlbi)
{
	struct uiommu_domain *dom = s1_new(hw);
	struct uiommu_smmu_sim_stats s0, s1;
	struct cmd_log log;

	map_ok(dom, IOVA(0), page(0), 4 * SZ_4K);
	unmap_logged(hw, dom, IOVA(0), 4, &log, &s0, &s1);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_VA]), 0);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_ASID]), 0);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_CMD_SYNC]), 0);
	cr_assert_eq(log.n, 0);
}

/* ================================================================ 6. ATS == */

Test(smmu_ats, ats_device_ste_enables_ats_translation)
{
	struct uiommu_dev *ats = dev_new(hw, 0x51, 0, true);
	struct uiommu_dev *plain = dev_new(hw, 0x52, 0, false);
	struct uiommu_domain *dom = s1_new(hw);

	/* Aborting STEs allow nothing. */
	cr_assert_eq(FIELD_GET(STE_1_EATS, ste_word(ats, 1)), STE_EATS_ABT);
	attach_ok(ats, UIOMMU_PASID_NONE, dom);
	attach_ok(plain, UIOMMU_PASID_NONE, dom);
	cr_assert_eq(FIELD_GET(STE_1_EATS, ste_word(ats, 1)), STE_EATS_TRANS);
	cr_assert_eq(FIELD_GET(STE_1_EATS, ste_word(plain, 1)), STE_EATS_ABT);
	cr_assert_not_null(smmu_atc_find(drv_of(hw)->model, 0x51));
	cr_assert_null(smmu_atc_find(drv_of(hw)->model, 0x52));
}

Test(smmu_ats, ats_translate_returns_va_then_hits_the_atc)
{
	struct uiommu_dev *d = dev_new(hw, 0x51, 0, true);
	struct uiommu_domain *dom = s1_new(hw);
	struct smmu_atc_slice *slice;
	struct uiommu_port *port;
	uint64_t hits0, misses0;

	map_ok(dom, IOVA(3), page(3), SZ_4K);
	port = attach_ok(d, UIOMMU_PASID_NONE, dom);
	slice = smmu_atc_find(drv_of(hw)->model, 0x51)->slice[rte_lcore_id()];
	cr_assert_not_null(slice);
	hits0 = slice->hits;
	misses0 = slice->misses;
	cr_assert_eq(uiommu_smmu_sim_ats_translate(port, IOVA(3) + 0x10,
						   UIOMMU_ACCESS_READ),
		     page(3) + 0x10);
	cr_assert_eq(slice->misses, misses0 + 1);
	cr_assert_eq(slice->hits, hits0);
	cr_assert_eq(uiommu_smmu_sim_ats_translate(port, IOVA(3) + 0x20,
						   UIOMMU_ACCESS_WRITE),
		     page(3) + 0x20);
	cr_assert_eq(slice->hits, hits0 + 1, "the second request missed");
	cr_assert_eq(slice->misses, misses0 + 1);
}

Test(smmu_ats, unmap_sends_atc_inv_after_tlbi_sync_then_ats_faults)
{
	struct uiommu_dev *d = dev_new(hw, 0x51, 0, true);
	struct uiommu_domain *dom = s1_new(hw);
	struct uiommu_smmu_sim_stats s0, s1;
	struct uiommu_port *port;
	struct cmd_log log;
	struct uiommu_fault f;
	void *va;

	map_ok(dom, IOVA(3), page(3), SZ_4K);
	port = attach_ok(d, UIOMMU_PASID_NONE, dom);
	cr_assert_eq(uiommu_smmu_sim_ats_translate(port, IOVA(3),
						   UIOMMU_ACCESS_READ),
		     page(3));
	unmap_logged(hw, dom, IOVA(3), 1, &log, &s0, &s1);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_ATC_INV]), 1);
	cr_assert_eq(DELTA(s0, s1, hw_cmds[CMDQ_OP_ATC_INV]), 1);
	/* TLB first and complete, then the ATC, then its own sync. */
	cr_assert_eq(log.n, 4, "%u commands", log.n);
	cr_assert_eq(log_op(&log, 0), CMDQ_OP_TLBI_NH_VA);
	cr_assert_eq(log_op(&log, 1), CMDQ_OP_CMD_SYNC);
	cr_assert_eq(log_op(&log, 2), CMDQ_OP_ATC_INV);
	cr_assert_eq(log_op(&log, 3), CMDQ_OP_CMD_SYNC);
	cr_assert_eq(FIELD_GET(CMDQ_ATC_0_SID, log.cmd[2][0]), 0x51);
	cr_assert(!(log.cmd[2][0] & CMDQ_0_SSV));
	cr_assert_eq(FIELD_GET(CMDQ_ATC_1_SIZE, log.cmd[2][1]), 0);
	cr_assert_eq(log.cmd[2][1] & CMDQ_ATC_1_ADDR, IOVA(3));

	faults_drain(hw);
	rte_errno = 0;
	va = uiommu_smmu_sim_ats_translate(port, IOVA(3), UIOMMU_ACCESS_READ);
	cr_assert_null(va, "stale ATC entry: %p", va);
	cr_assert_eq(rte_errno, EFAULT);
	cr_assert_eq(uiommu_hw_fault_read(hw, &f, 1), 1);
	cr_assert_eq(f.reason, UIOMMU_FAULT_TRANSLATION);
	cr_assert_eq(f.sid, 0x51);
}

Test(smmu_ats, unmap_without_ats_device_sends_no_atc_inv)
{
	struct uiommu_smmu_sim_stats s0, s1;
	struct s1_fixture f;
	struct cmd_log log;

	s1_fixture(hw, 0x42, &f);
	map_ok(f.dom, IOVA(3), page(3), SZ_4K);
	unmap_logged(hw, f.dom, IOVA(3), 1, &log, &s0, &s1);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_ATC_INV]), 0);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_CMD_SYNC]), 1);
}

Test(smmu_ats, ats_translate_without_ats_fails_einval)
{
	struct uiommu_dev *d = dev_new(hw, 0x52, 0, false);
	struct uiommu_domain *dom = s1_new(hw);
	struct uiommu_port *port;

	map_ok(dom, IOVA(3), page(3), SZ_4K);
	port = attach_ok(d, UIOMMU_PASID_NONE, dom);
	rte_errno = 0;
	cr_assert_null(uiommu_smmu_sim_ats_translate(port, IOVA(3),
						     UIOMMU_ACCESS_READ));
	cr_assert_eq(rte_errno, EINVAL);
	rte_errno = 0;
	cr_assert_null(uiommu_smmu_sim_ats_translate(NULL, IOVA(3),
						     UIOMMU_ACCESS_READ));
	cr_assert_eq(rte_errno, EINVAL);
}

Test(smmu_ats, detach_invalidates_the_atc)
{
	struct uiommu_dev *d = dev_new(hw, 0x51, 0, true);
	struct uiommu_domain *dom = s1_new(hw), *blk;
	struct uiommu_smmu_sim_stats s0, s1;
	struct uiommu_port *port;
	struct smmu_atc *atc;
	uint64_t inv0;

	map_ok(dom, IOVA(3), page(3), SZ_4K);
	port = attach_ok(d, UIOMMU_PASID_NONE, dom);
	cr_assert_eq(uiommu_smmu_sim_ats_translate(port, IOVA(3),
						   UIOMMU_ACCESS_READ),
		     page(3));
	atc = smmu_atc_find(drv_of(hw)->model, 0x51);
	inv0 = atc->invalidations;
	stats_now(hw, &s0);
	cr_assert_eq(uiommu_detach(port), 0);
	stats_now(hw, &s1);
	cr_assert_geq(DELTA(s0, s1, cmds[CMDQ_OP_ATC_INV]), 1);
	cr_assert_gt(atc->invalidations, inv0);
	/* A new port on a BLOCKED domain: the old ATC entry must not hit. */
	blk = special_new(hw, UIOMMU_DOMAIN_BLOCKED);
	port = attach_ok(d, UIOMMU_PASID_NONE, blk);
	faults_drain(hw);
	cr_assert_null(uiommu_smmu_sim_ats_translate(port, IOVA(3),
						     UIOMMU_ACCESS_READ));
	cr_assert_eq(rte_errno, EFAULT);
}

/* ============================================================ 7. nested == */

struct nested_fixture {
	struct uiommu_dev *dev;
	struct uiommu_domain *parent, *nested;
	struct uiommu_port *port;
};

/* A device (@pasid_bits wide) whose RID is on a nested domain that maps
 * IOVA(i) -> IPA(7 - i) -> page(i + 10), for i in 0..7. */
static void
nested_fixture(struct nested_fixture *f, uint32_t sid, uint8_t pasid_bits)
{
	unsigned int i;

	f->dev = dev_new(hw, sid, pasid_bits, false);
	f->parent = s2_new(hw);
	f->nested = nested_new(f->parent);
	for (i = 0; i < 8; i++) {
		map_ok(f->parent, IPA(7 - i), page(i + 10), SZ_4K);
		map_ok(f->nested, IOVA(i), (void *)(uintptr_t)IPA(7 - i),
		       SZ_4K);
	}
	f->port = attach_ok(f->dev, UIOMMU_PASID_NONE, f->nested);
}

Test(smmu_nested, rid_nested_ste_has_parents_s2ttb_and_cd0)
{
	struct nested_fixture f;
	uint16_t vmid;

	nested_fixture(&f, 0x61, 0);
	cr_assert_eq(ste_config(f.dev), STE_CONFIG_NESTED);
	cr_assert_eq(FIELD_GET(STE_3_S2TTB, ste_word(f.dev, 3)) << 4,
		     iopt_root(f.parent));
	cr_assert(ste_word(f.dev, 2) & STE_2_S2AA64);
	vmid = FIELD_GET(STE_2_S2VMID, ste_word(f.dev, 2));
	cr_assert_eq(vmid, dd_of(f.dev)->nest_vmid);
	cr_assert_neq(vmid, 0);
	cr_assert_eq(FIELD_GET(STE_1_S1DSS, ste_word(f.dev, 1)),
		     STE_S1DSS_SSID0);
	cr_assert(cd_valid(f.dev, 0));
	cr_assert_eq(cd_ttb0(f.dev, 0), iopt_root(f.nested));
	cr_assert_neq(cd_asid(f.dev, 0), 0);
}

Test(smmu_nested, translate_composes_both_stages)
{
	struct nested_fixture f;
	unsigned int i, round;

	nested_fixture(&f, 0x61, 0);
	for (round = 0; round < 2; round++)
		for (i = 0; i < 8; i++) {
			uint8_t *want = uiommu_iova_to_va(f.nested, IOVA(i) + 9);

			cr_assert_eq(want, page(i + 10) + 9);
			expect_va(f.port, IOVA(i) + 9, want, "nested");
			cr_assert_eq(uiommu_hw_translate_sid(hw, 0x61,
				     UIOMMU_PASID_NONE, IOVA(i) + 9, 8,
				     UIOMMU_ACCESS_READ), want);
		}
}

Test(smmu_nested, parent_unmap_flushes_nested_asid_and_faults)
{
	struct uiommu_smmu_sim_stats s0, s1;
	struct nested_fixture f;
	struct cmd_log log;
	uint16_t asid;
	int i;

	nested_fixture(&f, 0x61, 0);
	asid = cd_asid(f.dev, 0);
	/* IOVA(2) -> IPA(5) -> page(12), cached. */
	expect_va(f.port, IOVA(2), page(12), "before");
	expect_va(f.port, IOVA(3), page(13), "before");
	unmap_logged(hw, f.parent, IPA(5), 1, &log, &s0, &s1);
	i = log_find(&log, CMDQ_OP_TLBI_NH_ASID, 0);
	cr_assert_geq(i, 0, "no TLBI_NH_ASID for the nested domain");
	cr_assert_eq(FIELD_GET(CMDQ_TLBI_0_ASID, log.cmd[i][0]), asid);
	cr_assert_eq(FIELD_GET(CMDQ_TLBI_0_VMID, log.cmd[i][0]),
		     FIELD_GET(STE_2_S2VMID, ste_word(f.dev, 2)));
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_TLBI_NH_ASID]), 1);
	cr_assert_eq(DELTA(s0, s1, cmds[CMDQ_OP_CMD_SYNC]), 1);
	expect_fault(hw, f.port, IOVA(2), UIOMMU_FAULT_TRANSLATION,
		     "after the parent's unmap");
	expect_va(f.port, IOVA(3), page(13), "other pages still translate");
}

Test(smmu_nested, nested_pasid_shares_the_rid_parent)
{
	struct nested_fixture f;
	struct uiommu_domain *n2;
	struct uiommu_port *p;

	nested_fixture(&f, 0x61, 8);
	n2 = nested_new(f.parent);
	map_ok(n2, IOVA(0), (void *)(uintptr_t)IPA(0), SZ_4K);
	p = attach_ok(f.dev, 9, n2);
	cr_assert_eq(ste_config(f.dev), STE_CONFIG_NESTED);
	cr_assert(cd_valid(f.dev, 9));
	/* n2: IOVA(0) -> IPA(0) -> page(17); the RID's: IOVA(0) -> IPA(7)
	 * -> page(10). */
	expect_va(p, IOVA(0), page(17), "nested PASID");
	expect_va(f.port, IOVA(0), page(10), "nested RID");
	expect_va(f.port, IOVA(1), page(11), "nested RID");
}

/*
 * Regression: replacing a nested RID domain by a nested domain over a
 * different parent (allowed: no nested PASIDs) once kept the old parent
 * and its VMID, so the STE kept the old parent's S2TTB: the new domain's
 * IPAs went through the old stage 2 (and, once the old parent was
 * destroyed, the model walked freed memory).
 */
Test(smmu_nested, replace_nested_rid_with_other_parent_uses_new_stage2)
{
	struct uiommu_dev *d = dev_new(hw, 0x63, 0, false);
	struct uiommu_domain *p1 = s2_new(hw), *p2 = s2_new(hw);
	struct uiommu_domain *n1 = nested_new(p1), *n2 = nested_new(p2);
	struct uiommu_port *port;
	void *va;

	map_ok(p1, IPA(0), page(1), SZ_4K);
	map_ok(p2, IPA(0), page(2), SZ_4K);
	map_ok(n1, IOVA(0), (void *)(uintptr_t)IPA(0), SZ_4K);
	map_ok(n2, IOVA(0), (void *)(uintptr_t)IPA(0), SZ_4K);
	port = attach_ok(d, UIOMMU_PASID_NONE, n1);
	expect_va(port, IOVA(0), page(1), "over p1");
	port = attach_ok(d, UIOMMU_PASID_NONE, n2);
	cr_assert_eq(uiommu_iova_to_va(n2, IOVA(0)), page(2));
	va = uiommu_translate(port, IOVA(0), 8, UIOMMU_ACCESS_READ);
	cr_assert_eq(va, page(2), "n2's IOVA translated to %p through "
		     "the old parent's stage 2 (want %p)", va, page(2));
	cr_assert_eq(FIELD_GET(STE_3_S2TTB, ste_word(d, 3)) << 4,
		     iopt_root(p2), "STE S2TTB is still p1's");
}

Test(smmu_nested, detach_releases_the_nest_vmid)
{
	struct nested_fixture f;
	unsigned int i, users = 0;

	nested_fixture(&f, 0x61, 0);
	for (i = 0; i < SMMU_DRV_NEST_PARENTS; i++)
		if (drv_of(hw)->nest[i].s2 == f.parent)
			users += drv_of(hw)->nest[i].users;
	cr_assert_eq(users, 1);
	cr_assert_eq(uiommu_detach(f.port), 0);
	cr_assert_eq(ste_config(f.dev), STE_CONFIG_ABORT);
	cr_assert(!cd_valid(f.dev, 0));
	for (i = 0; i < SMMU_DRV_NEST_PARENTS; i++)
		cr_assert_eq(drv_of(hw)->nest[i].users, 0, "slot %u", i);
	cr_assert_null(dd_of(f.dev)->nest_parent);
}

/* ========================================================= 8. teardown == */

/* Create, use and destroy one of everything on a new hw with @args. */
static void
full_cycle(const char *args)
{
	struct uiommu_hw *h = hw_new(args);
	struct uiommu_dev *d_ats = dev_new(h, 0x10, 8, true);
	struct uiommu_dev *d_wide = dev_new(h, 0x2345, 16, false);
	struct uiommu_dev *d_nest = dev_new(h, 0x300, 0, false);
	struct uiommu_domain *a = s1_new(h), *b = s1_new(h), *p = s2_new(h);
	struct uiommu_domain *n = nested_new(p);
	struct uiommu_domain *ident = special_new(h, UIOMMU_DOMAIN_IDENTITY);
	struct uiommu_port *ports[6];
	unsigned int i;

	map_ok(a, IOVA(0), page(0), 4 * SZ_4K);
	map_ok(b, IOVA(0), page(4), 4 * SZ_4K);
	map_ok(p, IPA(0), page(8), SZ_4K);
	map_ok(n, IOVA(0), (void *)(uintptr_t)IPA(0), SZ_4K);
	ports[0] = attach_ok(d_ats, UIOMMU_PASID_NONE, ident);
	ports[0] = attach_ok(d_ats, UIOMMU_PASID_NONE, a);	/* replace */
	ports[1] = attach_ok(d_ats, 1, b);
	ports[2] = attach_ok(d_wide, UIOMMU_PASID_NONE, b);
	ports[3] = attach_ok(d_wide, 0x1234, a);
	ports[4] = attach_ok(d_wide, 0xfff0, b);
	ports[5] = attach_ok(d_nest, UIOMMU_PASID_NONE, n);
	expect_va(ports[0], IOVA(1), page(1), "ats rid");
	cr_assert_eq(uiommu_smmu_sim_ats_translate(ports[1], IOVA(1),
						   UIOMMU_ACCESS_READ),
		     page(5));
	expect_va(ports[3], IOVA(2), page(2), "wide pasid");
	expect_va(ports[5], IOVA(0), page(8), "nested");
	unmap_ok(a, IOVA(3), SZ_4K);
	unmap_ok(p, IPA(0), SZ_4K);
	faults_drain(h);
	for (i = 0; i < RTE_DIM(ports); i++)
		cr_assert_eq(uiommu_detach(ports[i]), 0);
	cr_assert_eq(uiommu_dev_destroy(d_ats), 0);
	cr_assert_eq(uiommu_dev_destroy(d_wide), 0);
	cr_assert_eq(uiommu_dev_destroy(d_nest), 0);
	cr_assert_eq(uiommu_domain_destroy(n), 0);
	cr_assert_eq(uiommu_domain_destroy(p), 0);
	cr_assert_eq(uiommu_domain_destroy(a), 0);
	cr_assert_eq(uiommu_domain_destroy(b), 0);
	cr_assert_eq(uiommu_domain_destroy(ident), 0);
	cr_assert_eq(uiommu_hw_destroy(h), 0);
}

Test(smmu_teardown, two_level_hw_returns_every_rte_malloc_element)
{
	struct test_heap before = test_heap_now(), after;

	full_cycle("cmdq=4,evtq=4");
	after = test_heap_now();
	test_heap_assert_eq(before, after, "2-level hw, full cycle");
	test_assert_no_malloc_leaks();
}

Test(smmu_teardown, linear_hw_returns_every_rte_malloc_element)
{
	struct test_heap before = test_heap_now(), after;

	full_cycle("strtab=linear,range_inv=0");
	after = test_heap_now();
	test_heap_assert_eq(before, after, "linear hw, full cycle");
	test_assert_no_malloc_leaks();
}

Test(smmu_teardown, hw_alone_returns_every_rte_malloc_element)
{
	struct test_heap before = test_heap_now(), after;

	cr_assert_eq(uiommu_hw_destroy(hw_new(NULL)), 0);
	after = test_heap_now();
	test_heap_assert_eq(before, after, "create + destroy");
}

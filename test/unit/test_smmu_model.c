/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated SMMUv3's device model (drivers/smmu_sim/model_*.c) and the
 * encodings both halves of smmu_sim share:
 *
 * - encoding: event records, commands (smmu_cmd_build) and the command
 *   checker (smmu_model_cmd_check), against words computed by hand from the
 *   bit positions of IHI 0070 (literal shifts, not smmuv3_arch.h's macros,
 *   so a wrong macro cannot agree with itself);
 * - tables: the STEs and CDs a real attach writes, decoded field by field;
 * - events: every misconfiguration the walker detects, with its event
 *   record and the core's fault record;
 * - walker: seeded random mappings in stage-1, stage-2 and nested domains,
 *   the model's walk against a reference list of the mappings, the core's
 *   uiommu_iova_to_va() and uiommu_translate() on a port (the IOTLB);
 * - evtq: wrap-around and the overflow protocol;
 * - gbpa: what the SMMU does with SMMUEN clear.
 *
 * Every test runs in its own process (criterion) with its own EAL, context
 * and the main lcore online; tests create the hw instance they need. A test
 * that corrupts a table restores it before it ends, so that the context's
 * teardown sees consistent structures.
 *
 * Tests marked "Spec:" pin a behaviour the architecture specifies and the
 * model once got wrong; the comment cites the section.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <uiommu.h>

#include "iopt_arm_lpae.h"
#include "smmu_drv.h"
#include "uiommu_smmu_sim.h"
#include "uiommu_test.h"

/* Bits [hi:lo] of @w: the decoder of this file, independent of the
 * GENMASK-based field macros under test. */
static inline uint64_t
bits(uint64_t w, unsigned int hi, unsigned int lo)
{
	return (w >> lo) & (~0ull >> (63 - (hi - lo)));
}

#define BAD_ADDR	0x1000ull	/* below every EAL memseg list */

static struct uiommu_ctx *ctx;
static struct uiommu_hw *hw;
static struct smmu_drv *drv;

static void
suite_init(void)
{
	test_eal_init("test_smmu_model");
	ctx = uiommu_ctx_create(NULL);
	cr_assert_not_null(ctx, "rte_errno %d", rte_errno);
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
}

/* Criterion 2.4 ignores failures in .fini: check nothing here. */
static void
suite_fini(void)
{
	uiommu_ctx_destroy(ctx);
	test_eal_cleanup();
}

/* ----------------------------------------------------------- helpers -- */

static void
hw_up(const char *args)
{
	hw = uiommu_hw_create(ctx, "smmu_sim", args);
	cr_assert_not_null(hw, "smmu_sim \"%s\": rte_errno %d",
			   args != NULL ? args : "", rte_errno);
	drv = smmu_drv_of(hw);
}

static struct uiommu_dev *
dev_new(uint32_t sid, uint8_t pasid_bits, bool ats)
{
	struct uiommu_dev_params dp = { .pasid_bits = pasid_bits, .ats = ats };
	struct uiommu_dev *dev = uiommu_dev_create(hw, sid, &dp);

	cr_assert_not_null(dev, "dev %#x: rte_errno %d", sid, rte_errno);
	return dev;
}

static struct smmu_drv_dev *
dd_of(const struct uiommu_dev *dev)
{
	return uiommu_dev_priv(dev);
}

static struct uiommu_domain *
domain_new(enum uiommu_iopt_fmt fmt)
{
	struct uiommu_domain_params p = { .fmt = fmt };
	struct uiommu_domain *dom;

	dom = uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, &p);
	cr_assert_not_null(dom, "domain fmt %d: rte_errno %d", fmt, rte_errno);
	return dom;
}

static struct uiommu_domain *
nested_new(struct uiommu_domain *s2)
{
	struct uiommu_domain *dom = uiommu_domain_create_nested(s2, NULL);

	cr_assert_not_null(dom, "nested domain: rte_errno %d", rte_errno);
	return dom;
}

static struct uiommu_port *
attach_ok(struct uiommu_dev *dev, uint32_t pasid, struct uiommu_domain *dom)
{
	struct uiommu_port *port = pasid == UIOMMU_PASID_NONE ?
		uiommu_attach(dev, dom) : uiommu_attach_pasid(dev, pasid, dom);

	cr_assert_not_null(port, "attach pasid %#x: rte_errno %d", pasid,
			   rte_errno);
	return port;
}

static void
map_ok(struct uiommu_domain *dom, uint64_t iova, uint64_t out, uint64_t size,
       uint32_t prot)
{
	int rc = uiommu_map(dom, iova, (void *)(uintptr_t)out, size, prot);

	cr_assert_eq(rc, 0, "map %#" PRIx64 " -> %#" PRIx64 " +%#" PRIx64
		     ": %d", iova, out, size, rc);
}

/* The context tag of a port: the ASID (stage 1, nested) or VMID (stage 2
 * only) the driver programs. */
static uint32_t
port_tag(const struct uiommu_port *port)
{
	return (uint32_t)(port->cfg >> UIOMMU_IOTLB_TAG_SHIFT);
}

/* A 4 KiB-aligned page of DPDK memory that table walks may target. */
static void *
page_new(void)
{
	void *p = rte_zmalloc("test_page", SZ_4K, SZ_4K);

	cr_assert_not_null(p);
	return p;
}

/* Empty the EVTQ and the core's fault queue. */
static void
drain(void)
{
	struct uiommu_smmu_event ev[16];
	struct uiommu_fault f[16];

	while (uiommu_smmu_sim_event_read(hw, ev, RTE_DIM(ev)) > 0)
		;
	while (uiommu_hw_fault_read(hw, f, RTE_DIM(f)) > 0)
		;
}

static struct uiommu_smmu_sim_stats
sim_stats(void)
{
	struct uiommu_smmu_sim_stats s;

	cr_assert_eq(uiommu_smmu_sim_stats_get(hw, &s), 0);
	return s;
}

/* The raw record at EVTQ_CONS, before it is consumed. */
static void
evtq_peek(uint64_t rec[EVTQ_ENT_DWORDS])
{
	uint32_t log2 = drv->evtq.log2size;
	uint32_t prod = smmu_model_read32(drv->model, SMMU_EVTQ_PROD);
	uint32_t cons = smmu_model_read32(drv->model, SMMU_EVTQ_CONS);

	cr_assert(!smmu_queue_empty(log2, prod, cons), "EVTQ is empty");
	memcpy(rec, &drv->evtq.mem[smmu_queue_idx(log2, cons) *
				   EVTQ_ENT_DWORDS], EVTQ_ENT_DWORDS * 8);
}

/* Which fields of an event record a check compares, beyond id, sid, ssv
 * and ssid (every record has those). */
#define EV_INPUT	0x1u	/* addr (InputAddr) and rnw */
#define EV_STAGE	0x2u	/* s2 and class */
#define EV_IPA		0x4u	/* ipa: IPA or FetchAddr */
#define EV_NO_SSV	0x8u	/* do not compare ssv (a record without one) */

static void
expect_event(const struct uiommu_smmu_event *want, unsigned int check,
	     const char *what)
{
	struct uiommu_smmu_event ev[4];
	int n = uiommu_smmu_sim_event_read(hw, ev, RTE_DIM(ev));

	cr_assert_eq(n, 1, "%s: %d event records, want one %s", what, n,
		     uiommu_smmu_event_name(want->id));
	cr_assert_eq(ev[0].id, want->id, "%s: event %#x %s, want %#x %s",
		     what, ev[0].id, uiommu_smmu_event_name(ev[0].id),
		     want->id, uiommu_smmu_event_name(want->id));
	cr_assert_eq(ev[0].sid, want->sid, "%s: sid %#x, want %#x", what,
		     ev[0].sid, want->sid);
	if (!(check & EV_NO_SSV))
		cr_assert_eq(ev[0].ssv, want->ssv, "%s: ssv %d, want %d",
			     what, ev[0].ssv, want->ssv);
	cr_assert_eq(ev[0].ssid, want->ssid, "%s: ssid %#x, want %#x", what,
		     ev[0].ssid, want->ssid);
	if (check & EV_INPUT) {
		cr_assert_eq(ev[0].addr, want->addr, "%s: addr %#" PRIx64
			     ", want %#" PRIx64, what, ev[0].addr, want->addr);
		cr_assert_eq(ev[0].rnw, want->rnw, "%s: rnw %d, want %d", what,
			     ev[0].rnw, want->rnw);
	}
	if (check & EV_STAGE) {
		cr_assert_eq(ev[0].s2, want->s2, "%s: s2 %d, want %d", what,
			     ev[0].s2, want->s2);
		cr_assert_eq(ev[0].class, want->class, "%s: class %u, want %u",
			     what, ev[0].class, want->class);
	}
	if (check & EV_IPA)
		cr_assert_eq(ev[0].ipa, want->ipa, "%s: ipa/fetch %#" PRIx64
			     ", want %#" PRIx64, what, ev[0].ipa, want->ipa);
}

static void
expect_no_event(const char *what)
{
	struct uiommu_smmu_event ev[4];
	int n = uiommu_smmu_sim_event_read(hw, ev, RTE_DIM(ev));

	cr_assert_eq(n, 0, "%s: %d event records (first %#x %s), want none",
		     what, n, n > 0 ? ev[0].id : 0,
		     n > 0 ? uiommu_smmu_event_name(ev[0].id) : "");
}

/* The one fault record the core wrote, after checking what it says. */
static struct uiommu_fault
fault_read_one(uint32_t sid, uint32_t pasid, uint64_t iova, uint32_t access,
	       enum uiommu_fault_reason reason, const char *what)
{
	struct uiommu_fault f[4];
	int n = uiommu_hw_fault_read(hw, f, RTE_DIM(f));

	cr_assert_eq(n, 1, "%s: %d fault records, want 1", what, n);
	cr_assert_eq(f[0].reason, reason, "%s: fault reason %s, want %s", what,
		     uiommu_fault_reason_str(f[0].reason),
		     uiommu_fault_reason_str(reason));
	cr_assert_eq(f[0].sid, sid, "%s: fault sid %#x", what, f[0].sid);
	cr_assert_eq(f[0].pasid, pasid, "%s: fault pasid %#x", what,
		     f[0].pasid);
	cr_assert_eq(f[0].iova, iova, "%s: fault iova %#" PRIx64, what,
		     f[0].iova);
	cr_assert_eq(f[0].access, access, "%s: fault access %u", what,
		     f[0].access);
	return f[0];
}

/* One translation through the core's slow path (no IOTLB: a walk every
 * time), kept to be checked later: a test that corrupted a table restores
 * it first, so that a failed check leaves consistent tables to teardown. */
struct attempt {
	uint32_t sid, pasid, access;
	uint64_t iova;
	void *va;
	int err;
};

static struct attempt
sid_try(uint32_t sid, uint32_t pasid, uint64_t iova, uint32_t access)
{
	struct attempt a = {
		.sid = sid, .pasid = pasid, .iova = iova, .access = access,
	};

	rte_errno = 0;
	a.va = uiommu_hw_translate_sid(hw, sid, pasid, iova, 1, access);
	a.err = rte_errno;
	return a;
}

/* @a failed with @reason: check it and the core's fault record. */
static struct uiommu_fault
attempt_faulted(const struct attempt *a, enum uiommu_fault_reason reason,
		const char *what)
{
	cr_assert_null(a->va, "%s: iova %#" PRIx64 " translated to %p", what,
		       a->iova, a->va);
	cr_assert_eq(a->err, EFAULT, "%s: rte_errno %d", what, a->err);
	return fault_read_one(a->sid, a->pasid, a->iova, a->access, reason,
			      what);
}

static void
attempt_ok(const struct attempt *a, uint64_t want, const char *what)
{
	cr_assert_eq((uintptr_t)a->va, want, "%s: iova %#" PRIx64 " -> %p, "
		     "want %#" PRIx64 " (rte_errno %d)", what, a->iova, a->va,
		     want, a->err);
}

/* Translate through the slow path and expect it to fail with @reason. */
static struct uiommu_fault
sid_fault(uint32_t sid, uint32_t pasid, uint64_t iova, uint32_t access,
	  enum uiommu_fault_reason reason, const char *what)
{
	const struct attempt a = sid_try(sid, pasid, iova, access);

	return attempt_faulted(&a, reason, what);
}

/* The same through a port (IOTLB first, then the walk). */
static struct uiommu_fault
port_fault(const struct uiommu_port *port, uint64_t iova, uint32_t access,
	   enum uiommu_fault_reason reason, const char *what)
{
	void *va = uiommu_translate(port, iova, 1, access);

	cr_assert_null(va, "%s: iova %#" PRIx64 " translated to %p", what,
		       iova, va);
	cr_assert_eq(rte_errno, EFAULT, "%s: rte_errno %d", what, rte_errno);
	return fault_read_one(port->sid, port->pasid, iova, access, reason,
			      what);
}

/* Translate through the slow path and expect host VA @want. */
static void
sid_ok(uint32_t sid, uint32_t pasid, uint64_t iova, uint32_t access,
       uint64_t want, const char *what)
{
	void *va = uiommu_hw_translate_sid(hw, sid, pasid, iova, 1, access);

	cr_assert_eq((uintptr_t)va, want, "%s: iova %#" PRIx64 " -> %p, want "
		     "%#" PRIx64 " (rte_errno %d)", what, iova, va, want,
		     rte_errno);
}

static void
word_set(uint64_t *w, uint64_t v)
{
	/* As the driver stores table words: the walker acquires them. */
	__atomic_store_n(w, v, __ATOMIC_RELEASE);
}

/* The leaf descriptor that maps @iova in @dom's table, found by walking it
 * from the root. */
static uint64_t *
leaf_pte(const struct uiommu_domain *dom, uint64_t iova)
{
	struct uiommu_iopt_info info;
	uint64_t *table;
	unsigned int level;

	cr_assert_eq(uiommu_domain_iopt_info(dom, &info), 0);
	table = (uint64_t *)(uintptr_t)info.root;
	for (level = info.start_level; level < ARM_LPAE_MAX_LEVELS; level++) {
		uint64_t *ptep = &table[arm_lpae_pte_index(iova, level)];
		uint64_t pte = __atomic_load_n(ptep, __ATOMIC_ACQUIRE);

		if (arm_lpae_pte_is_leaf(pte, level))
			return ptep;
		cr_assert(arm_lpae_pte_is_table(pte, level), "iova %#" PRIx64
			  ": no table at level %u (%#" PRIx64 ")", iova, level,
			  pte);
		table = (uint64_t *)(uintptr_t)(pte & ARM_LPAE_PTE_ADDR);
	}
	cr_assert_fail("iova %#" PRIx64 ": no leaf", iova);
	return NULL;
}

/* --------------------------------------------------------- encoding -- */

/*
 * Encodings need no hw: a standalone model (no uiommu hw behind it) checks
 * commands; the event and command encoders are pure functions.
 */
static struct smmu_model *lone;

static void
encoding_init(void)
{
	suite_init();
	lone = smmu_model_create(NULL, SOCKET_ID_ANY);
	cr_assert_not_null(lone, "rte_errno %d", rte_errno);
}

static void
encoding_fini(void)
{
	smmu_model_destroy(lone);
	suite_fini();
}

/* Every suite has the same timeout: see test_vtd_drv.c. */
TestSuite(encoding, .init = encoding_init, .fini = encoding_fini,
	  .timeout = 120);

static void
event_assert_eq(const struct smmu_event *got, const struct smmu_event *want,
		const char *what)
{
	cr_assert_eq(got->id, want->id, "%s: id %#x, want %#x", what, got->id,
		     want->id);
	cr_assert_eq(got->ssv, want->ssv, "%s: ssv", what);
	cr_assert_eq(got->rnw, want->rnw, "%s: rnw", what);
	cr_assert_eq(got->s2, want->s2, "%s: s2", what);
	cr_assert_eq(got->class, want->class, "%s: class %u, want %u", what,
		     got->class, want->class);
	cr_assert_eq(got->sid, want->sid, "%s: sid %#x, want %#x", what,
		     got->sid, want->sid);
	cr_assert_eq(got->ssid, want->ssid, "%s: ssid %#x, want %#x", what,
		     got->ssid, want->ssid);
	cr_assert_eq(got->addr, want->addr, "%s: addr %#" PRIx64 ", want %#"
		     PRIx64, what, got->addr, want->addr);
	cr_assert_eq(got->ipa, want->ipa, "%s: ipa %#" PRIx64 ", want %#"
		     PRIx64, what, got->ipa, want->ipa);
}

/* Every field on its own at a value with its top and bottom bits set, then
 * all at once: a field that leaks into another or loses a bit shows. */
Test(encoding, event_decode_inverts_encode_for_every_field)
{
	struct smmu_event cases[] = {
		{ .id = 0xff },
		{ .id = EVT_ID_F_TRANSLATION, .ssv = true },
		{ .id = EVT_ID_F_TRANSLATION, .rnw = true },
		{ .id = EVT_ID_F_TRANSLATION, .s2 = true },
		{ .id = EVT_ID_F_TRANSLATION, .class = EVTQ_CLASS_IN },
		{ .id = EVT_ID_F_TRANSLATION, .class = 3 },
		{ .id = EVT_ID_F_TRANSLATION, .sid = 0xffffffffu },
		{ .id = EVT_ID_F_TRANSLATION, .sid = 0x80000001u },
		{ .id = EVT_ID_F_TRANSLATION, .ssid = 0xfffffu },
		{ .id = EVT_ID_F_TRANSLATION, .ssid = 0x80001u },
		{ .id = EVT_ID_F_TRANSLATION, .addr = UINT64_MAX },
		{ .id = EVT_ID_F_TRANSLATION, .addr = 0x8000000000000001ull },
		/* IPA[51:12] for translation-related faults */
		{ .id = EVT_ID_F_PERMISSION, .ipa = 0xffffffffff000ull },
		{ .id = EVT_ID_F_PERMISSION, .ipa = 0x8000000001000ull },
		/* FetchAddr[51:3] for fetch aborts */
		{ .id = EVT_ID_F_STE_FETCH, .ipa = 0xffffffffffff8ull },
		{ .id = EVT_ID_F_CD_FETCH, .ipa = 0x8000000000008ull },
		{ .id = EVT_ID_F_WALK_EABT, .ipa = 0x0000123456788ull },
		{ .id = EVT_ID_F_ADDR_SIZE, .ssv = true, .rnw = true,
		  .s2 = true, .class = EVTQ_CLASS_TT, .sid = 0xfedcba98u,
		  .ssid = 0xabcdeu, .addr = 0x0123456789abcdefull,
		  .ipa = 0xabcdef0123000ull },
	};
	uint64_t rec[EVTQ_ENT_DWORDS];
	struct smmu_event got;
	char what[32];
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		smmu_event_encode(&cases[i], rec);
		memset(&got, 0x5a, sizeof(got));
		smmu_event_decode(rec, &got);
		snprintf(what, sizeof(what), "case %u", i);
		event_assert_eq(&got, &cases[i], what);
	}
}

/* F_TRANSLATION, IHI 0070 7.3.13: ID [7:0], SSV [11], SubstreamID [31:12],
 * StreamID [63:32]; RnW [99] (word 1 bit 35), S2 [103], CLASS [105:104];
 * InputAddr [191:128]; IPA[51:12] at [243:204]. */
Test(encoding, event_encode_matches_spec_bit_positions)
{
	const struct smmu_event ev = {
		.id = EVT_ID_F_TRANSLATION, .ssv = true, .rnw = true,
		.s2 = true, .class = EVTQ_CLASS_IN, .sid = 0x1234,
		.ssid = 0x56, .addr = 0xdeadbeef0123ull,
		.ipa = 0x0000abcd12345000ull,
	};
	uint64_t rec[EVTQ_ENT_DWORDS];

	smmu_event_encode(&ev, rec);
	cr_assert_eq(rec[0], 0x10ull | 1ull << 11 | 0x56ull << 12 |
		     0x1234ull << 32, "word 0 %#" PRIx64, rec[0]);
	cr_assert_eq(rec[1], 1ull << 35 | 1ull << 39 | 2ull << 40,
		     "word 1 %#" PRIx64, rec[1]);
	cr_assert_eq(rec[2], 0xdeadbeef0123ull, "word 2 %#" PRIx64, rec[2]);
	cr_assert_eq(rec[3], 0x0000abcd12345000ull, "word 3 %#" PRIx64,
		     rec[3]);
}

/* The fields a translation fault does not define stay zero. */
Test(encoding, event_encode_of_write_without_ssid_sets_only_id_and_sid)
{
	const struct smmu_event ev = {
		.id = EVT_ID_F_TRANSLATION, .sid = 0x10, .addr = 0x5000,
	};
	uint64_t rec[EVTQ_ENT_DWORDS];

	smmu_event_encode(&ev, rec);
	cr_assert_eq(rec[0], 0x10ull | 0x10ull << 32, "word 0 %#" PRIx64,
		     rec[0]);
	cr_assert_eq(rec[1], 0, "word 1 %#" PRIx64, rec[1]);
	cr_assert_eq(rec[2], 0x5000, "word 2 %#" PRIx64, rec[2]);
	cr_assert_eq(rec[3], 0, "word 3 %#" PRIx64, rec[3]);
}

/* Build @cmd and compare with the hand-computed words; the model must
 * accept what the driver builds. */
static void
cmd_expect(const struct smmu_cmd *cmd, uint64_t w0, uint64_t w1)
{
	uint64_t out[CMDQ_ENT_DWORDS] = { ~0ull, ~0ull };
	uint32_t cerror;

	smmu_cmd_build(cmd, out);
	cr_assert_eq(out[0], w0, "op %#x word 0 %#" PRIx64 ", want %#" PRIx64,
		     cmd->opcode, out[0], w0);
	cr_assert_eq(out[1], w1, "op %#x word 1 %#" PRIx64 ", want %#" PRIx64,
		     cmd->opcode, out[1], w1);
	cerror = smmu_model_cmd_check(lone, out);
	cr_assert_eq(cerror, CMDQ_CERROR_NONE, "op %#x rejected: CERROR %u",
		     cmd->opcode, cerror);
}

/* CFGI_STE: SID [63:32], Leaf [64]. */
Test(encoding, cmd_cfgi_ste)
{
	const struct smmu_cmd c = {
		.opcode = CMDQ_OP_CFGI_STE, .sid = 0xbeef, .leaf = true,
	};

	cmd_expect(&c, 0x03 | 0xbeefull << 32, 1);
}

/* CFGI_ALL is CFGI_STE_RANGE with Range [68:64] = 31. */
Test(encoding, cmd_cfgi_all)
{
	const struct smmu_cmd c = {
		.opcode = CMDQ_OP_CFGI_STE_RANGE, .range = 31,
	};

	cmd_expect(&c, 0x04, 31);
}

Test(encoding, cmd_cfgi_ste_range)
{
	const struct smmu_cmd c = {
		.opcode = CMDQ_OP_CFGI_STE_RANGE, .sid = 0x100, .range = 7,
	};

	cmd_expect(&c, 0x04 | 0x100ull << 32, 7);
}

/* CFGI_CD: SubstreamID [31:12], SID [63:32], Leaf [64]. */
Test(encoding, cmd_cfgi_cd)
{
	const struct smmu_cmd c = {
		.opcode = CMDQ_OP_CFGI_CD, .sid = 0x42, .ssid = 0xfffff,
		.leaf = true,
	};

	cmd_expect(&c, 0x05 | 0xfffffull << 12 | 0x42ull << 32, 1);
}

Test(encoding, cmd_cfgi_cd_all)
{
	const struct smmu_cmd c = { .opcode = CMDQ_OP_CFGI_CD_ALL,
				    .sid = 0xffff };

	cmd_expect(&c, 0x06 | 0xffffull << 32, 0);
}

/* TLBI_NH_ASID: VMID [47:32], ASID [63:48]. */
Test(encoding, cmd_tlbi_nh_asid)
{
	const struct smmu_cmd c = {
		.opcode = CMDQ_OP_TLBI_NH_ASID, .asid = 0x8001, .vmid = 0xfffe,
	};

	cmd_expect(&c, 0x11 | 0xfffeull << 32 | 0x8001ull << 48, 0);
}

/* TLBI_NH_VA with a range: NUM [16:12], SCALE [24:20], VMID, ASID; Leaf
 * [64], TG [75:74], Address[63:12] in word 1 [63:12]. */
Test(encoding, cmd_tlbi_nh_va_range)
{
	const struct smmu_cmd c = {
		.opcode = CMDQ_OP_TLBI_NH_VA, .asid = 0x42, .vmid = 0x7,
		.num = 31, .scale = 17, .tg = CMDQ_TLBI_TG_4K, .leaf = true,
		.addr = 0x7f1234567000ull,
	};

	cmd_expect(&c, 0x12 | 31ull << 12 | 17ull << 20 | 0x7ull << 32 |
		   0x42ull << 48, 1 | 1ull << 10 | 0x7f1234567000ull);
}

/* Without a range (TG 0): the address alone. */
Test(encoding, cmd_tlbi_nh_va_single)
{
	const struct smmu_cmd c = {
		.opcode = CMDQ_OP_TLBI_NH_VA, .asid = 1,
		.addr = 0xfffffffff000ull,
	};

	cmd_expect(&c, 0x12 | 1ull << 48, 0xfffffffff000ull);
}

/* TLBI_S2_IPA: IPA[51:12] in word 1 [51:12]. */
Test(encoding, cmd_tlbi_s2_ipa)
{
	const struct smmu_cmd c = {
		.opcode = CMDQ_OP_TLBI_S2_IPA, .vmid = 0x1234, .num = 1,
		.scale = 0, .tg = CMDQ_TLBI_TG_4K, .leaf = true,
		.addr = 0xabcdef012000ull,
	};

	cmd_expect(&c, 0x2a | 1ull << 12 | 0x1234ull << 32,
		   1 | 1ull << 10 | 0xabcdef012000ull);
}

Test(encoding, cmd_tlbi_s12_vmall)
{
	const struct smmu_cmd c = { .opcode = CMDQ_OP_TLBI_S12_VMALL,
				    .vmid = 0xffff };

	cmd_expect(&c, 0x28 | 0xffffull << 32, 0);
}

Test(encoding, cmd_tlbi_nsnh_all)
{
	const struct smmu_cmd c = { .opcode = CMDQ_OP_TLBI_NSNH_ALL };

	cmd_expect(&c, 0x30, 0);
}

/* ATC_INV: SSV [11], SubstreamID [31:12], SID [63:32]; Size [69:64],
 * Address[63:12]. */
Test(encoding, cmd_atc_inv)
{
	const struct smmu_cmd c = {
		.opcode = CMDQ_OP_ATC_INV, .sid = 0x301, .ssv = true,
		.ssid = 0x1f, .size = 4, .addr = 0x123450000000ull,
	};

	cmd_expect(&c, 0x40 | 1ull << 11 | 0x1full << 12 | 0x301ull << 32,
		   4 | 0x123450000000ull);
}

Test(encoding, cmd_atc_inv_all)
{
	const struct smmu_cmd c = {
		.opcode = CMDQ_OP_ATC_INV, .sid = 0x301,
		.size = CMDQ_ATC_SIZE_ALL,
	};

	cmd_expect(&c, 0x40 | 0x301ull << 32, 52);
}

/* PRI_RESP: SSV, SubstreamID, SID; Resp [77:76]. (struct smmu_cmd carries
 * the response in .cs and has no PRG index: it encodes as 0.) */
Test(encoding, cmd_pri_resp)
{
	const struct smmu_cmd c = {
		.opcode = CMDQ_OP_PRI_RESP, .sid = 0x301, .ssv = true,
		.ssid = 5, .cs = CMDQ_PRI_RESP_SUCC,
	};

	cmd_expect(&c, 0x41 | 1ull << 11 | 5ull << 12 | 0x301ull << 32,
		   2ull << 12);
}

/* RESUME: Action [13:12], SID [63:32]. */
Test(encoding, cmd_resume)
{
	const struct smmu_cmd c = {
		.opcode = CMDQ_OP_RESUME, .sid = 0x77,
		.cs = CMDQ_RESUME_RESP_RETRY,
	};

	cmd_expect(&c, 0x44 | 1ull << 12 | 0x77ull << 32, 0);
}

/* CMD_SYNC: CS [13:12], MSIData [63:32]; MSIAddress[51:2] in word 1. */
Test(encoding, cmd_sync_with_msi)
{
	const struct smmu_cmd c = {
		.opcode = CMDQ_OP_CMD_SYNC, .cs = CMDQ_SYNC_CS_IRQ,
		.msidata = 0xdeadbeef, .addr = 0x7fff12345678ull,
	};

	cmd_expect(&c, 0x46 | 1ull << 12 | 0xdeadbeefull << 32,
		   0x7fff12345678ull);
}

static void
cmd_rejected(uint64_t w0, uint64_t w1, const char *what)
{
	const uint64_t cmd[CMDQ_ENT_DWORDS] = { w0, w1 };
	uint32_t cerror = smmu_model_cmd_check(lone, cmd);

	cr_assert_eq(cerror, CMDQ_CERROR_ILL, "%s (%#" PRIx64 " %#" PRIx64
		     "): CERROR %u, want ILL", what, w0, w1, cerror);
}

Test(encoding, cmd_check_rejects_unknown_opcode)
{
	cmd_rejected(0x7f, 0, "opcode 0x7f");
}

Test(encoding, cmd_check_rejects_reserved_bit_in_word0)
{
	/* CFGI_STE bit 9: RES0. */
	cmd_rejected(0x03 | 1ull << 9 | 0x10ull << 32, 1, "CFGI_STE [9]");
}

Test(encoding, cmd_check_rejects_reserved_bit_in_word1)
{
	/* CFGI_STE word 1 bit 1: RES0 (only Leaf is defined). */
	cmd_rejected(0x03 | 0x10ull << 32, 1 | 1ull << 1, "CFGI_STE [65]");
}

Test(encoding, cmd_check_rejects_sync_cs_3)
{
	cmd_rejected(0x46 | 3ull << 12, 0, "CMD_SYNC CS=3");
}

Test(encoding, cmd_check_rejects_tlbi_tg_2)
{
	cmd_rejected(0x12 | 1ull << 48, 2ull << 10 | 0x1000, "TLBI_NH_VA TG=2");
}

Test(encoding, cmd_check_rejects_tlbi_range_without_granule)
{
	cmd_rejected(0x12 | 1ull << 12 | 1ull << 48, 0x1000,
		     "TLBI_NH_VA TG=0 NUM=1");
}

Test(encoding, cmd_check_rejects_atc_inv_size_53)
{
	cmd_rejected(0x40 | 0x10ull << 32, 53, "ATC_INV SIZE=53");
}

Test(encoding, cmd_check_rejects_pri_resp_3)
{
	cmd_rejected(0x41 | 0x10ull << 32, 3ull << 12, "PRI_RESP RESP=3");
}

Test(encoding, cmd_check_rejects_sid_beyond_sidsize)
{
	/* IDR1.SIDSIZE is 16: SID 0x10000 does not exist. */
	cmd_rejected(0x03 | 0x10000ull << 32, 1, "CFGI_STE SID 0x10000");
}

/* ----------------------------------------------------------- tables -- */

TestSuite(tables, .init = suite_init, .fini = suite_fini, .timeout = 120);

#define SID_A		0x10u
#define IOVA_BASE	0x40000000ull
#define IPA_BASE	0x80000000ull

/* IPS / S2PS encoding of 48 output bits (IHI 0070: 0b101). */
#define PS_48_BIT	5u

/* S2SL0 with the 4 KiB granule (VTCR_EL2.SL0): 0b10 level 0, 0b01 level 1,
 * 0b00 level 2. */
static uint64_t
s2sl0_of_level(unsigned int level)
{
	static const uint64_t sl0[] = { 2, 1, 0 };

	cr_assert_lt(level, RTE_DIM(sl0));
	return sl0[level];
}

static struct uiommu_iopt_info
iopt_info(const struct uiommu_domain *dom)
{
	struct uiommu_iopt_info info;

	cr_assert_eq(uiommu_domain_iopt_info(dom, &info), 0);
	return info;
}

/* STE[243:196] S2TTB and the rest of the stage-2 words, against @dom. */
static void
ste_s2_assert(const uint64_t *ste, const struct uiommu_domain *dom,
	      uint64_t vmid)
{
	struct uiommu_iopt_info info = iopt_info(dom);

	cr_assert_eq(bits(ste[2], 15, 0), vmid, "S2VMID %#" PRIx64 ", want %#"
		     PRIx64, bits(ste[2], 15, 0), vmid);
	cr_assert_eq(bits(ste[2], 37, 32), 64u - info.ias, "S2T0SZ %" PRIu64,
		     bits(ste[2], 37, 32));
	cr_assert_eq(bits(ste[2], 39, 38), s2sl0_of_level(info.start_level),
		     "S2SL0 %" PRIu64 " for start level %u",
		     bits(ste[2], 39, 38), info.start_level);
	cr_assert_eq(bits(ste[2], 47, 46), 0, "S2TG %" PRIu64 ", want 4 KiB",
		     bits(ste[2], 47, 46));
	cr_assert_eq(bits(ste[2], 50, 48), PS_48_BIT, "S2PS %" PRIu64,
		     bits(ste[2], 50, 48));
	cr_assert_eq(bits(ste[2], 51, 51), 1, "S2AA64");
	cr_assert_eq(bits(ste[2], 52, 52), 0, "S2ENDI: little-endian");
	cr_assert_eq(bits(ste[2], 58, 58), 1, "S2R: record faults");
	cr_assert_eq(bits(ste[3], 51, 4) << 4, info.root, "S2TTB %#" PRIx64
		     ", want root %#" PRIx64, bits(ste[3], 51, 4) << 4,
		     info.root);
}

/* CD fields against @dom's table and the port's tag. */
static void
cd_assert(const uint64_t *cd, const struct uiommu_domain *dom, uint32_t asid)
{
	struct uiommu_iopt_info info = iopt_info(dom);

	cr_assert_eq(bits(cd[0], 31, 31), 1, "CD.V");
	cr_assert_eq(bits(cd[0], 5, 0), 64u - info.ias, "T0SZ %" PRIu64
		     ", ias %u", bits(cd[0], 5, 0), info.ias);
	cr_assert_eq(bits(cd[0], 7, 6), 0, "TG0 %" PRIu64 ", want 4 KiB",
		     bits(cd[0], 7, 6));
	cr_assert_eq(bits(cd[0], 14, 14), 0, "EPD0: TTB0 walks enabled");
	cr_assert_eq(bits(cd[0], 15, 15), 0, "ENDI: little-endian");
	cr_assert_eq(bits(cd[0], 30, 30), 1, "EPD1: no TTB1");
	cr_assert_eq(info.oas, 48, "domain oas %u", info.oas);
	cr_assert_eq(bits(cd[0], 34, 32), PS_48_BIT, "IPS %" PRIu64,
		     bits(cd[0], 34, 32));
	cr_assert_eq(bits(cd[0], 41, 41), 1, "AA64");
	cr_assert_eq(bits(cd[0], 45, 45), 1, "R: record faults");
	cr_assert_eq(bits(cd[0], 63, 48), asid, "ASID %#" PRIx64 ", want tag "
		     "%#x", bits(cd[0], 63, 48), asid);
	cr_assert_eq(bits(cd[1], 51, 4) << 4, info.root, "TTB0 %#" PRIx64
		     ", want root %#" PRIx64, bits(cd[1], 51, 4) << 4,
		     info.root);
	/* MAIR: Attr0 Normal NC 0x44, Attr1 Normal WB 0xff, Attr2 Device
	 * nGnRE 0x04, the indices uiommu's stage-1 leaves use. */
	cr_assert_eq(cd[3], 0x04ff44ull, "MAIR %#" PRIx64, cd[3]);
}

Test(tables, stage1_rid_attach_writes_s1_ste_over_a_linear_cd_table)
{
	struct uiommu_dev *dev;
	const uint64_t *ste;

	hw_up(NULL);
	dev = dev_new(SID_A, 4, false);
	attach_ok(dev, UIOMMU_PASID_NONE, domain_new(UIOMMU_IOPT_ARM_LPAE_S1));
	ste = dd_of(dev)->ste;
	cr_assert_eq(bits(ste[0], 0, 0), 1, "V");
	cr_assert_eq(bits(ste[0], 3, 1), 5, "Config %" PRIu64 ", want 0b101",
		     bits(ste[0], 3, 1));
	cr_assert_eq(bits(ste[0], 5, 4), 0, "S1Fmt %" PRIu64 ", want linear",
		     bits(ste[0], 5, 4));
	cr_assert_eq(bits(ste[0], 55, 6) << 6,
		     (uintptr_t)dd_of(dev)->cd_table, "S1ContextPtr %#" PRIx64,
		     bits(ste[0], 55, 6) << 6);
	cr_assert_eq(bits(ste[0], 63, 59), 4, "S1CDMax %" PRIu64,
		     bits(ste[0], 63, 59));
	cr_assert_eq(bits(ste[1], 1, 0), 2, "S1DSS %" PRIu64 ", want SSID0",
		     bits(ste[1], 1, 0));
	cr_assert_eq(bits(ste[1], 29, 28), 0, "EATS %" PRIu64 " without ATS",
		     bits(ste[1], 29, 28));
}

Test(tables, stage1_rid_attach_writes_cd0_for_the_domain)
{
	struct uiommu_domain *dom;
	struct uiommu_port *port;
	struct uiommu_dev *dev;
	const uint64_t *cd;

	hw_up(NULL);
	dev = dev_new(SID_A, 4, false);
	dom = domain_new(UIOMMU_IOPT_ARM_LPAE_S1);
	port = attach_ok(dev, UIOMMU_PASID_NONE, dom);
	cd = smmu_cd_slot(dd_of(dev), 0, false, 0);
	cr_assert_not_null(cd);
	cr_assert_neq(port_tag(port), 0, "a paging port has a tag");
	cd_assert(cd, dom, port_tag(port));
}

Test(tables, pasid_attach_writes_its_cd_and_terminates_untagged_traffic)
{
	struct uiommu_domain *dom;
	struct uiommu_port *port;
	struct uiommu_dev *dev;
	const uint64_t *ste, *cd0;

	hw_up(NULL);
	dev = dev_new(SID_A, 4, false);
	dom = domain_new(UIOMMU_IOPT_ARM_LPAE_S1);
	port = attach_ok(dev, 3, dom);
	ste = dd_of(dev)->ste;
	cr_assert_eq(bits(ste[0], 3, 1), 5, "Config %" PRIu64,
		     bits(ste[0], 3, 1));
	cr_assert_eq(bits(ste[1], 1, 0), 0, "S1DSS %" PRIu64 ", want "
		     "terminate", bits(ste[1], 1, 0));
	cd_assert(smmu_cd_slot(dd_of(dev), 3, false, 0), dom, port_tag(port));
	cd0 = smmu_cd_slot(dd_of(dev), 0, false, 0);
	cr_assert_eq(bits(cd0[0], 31, 31), 0, "CD 0 is valid");
}

Test(tables, ats_device_ste_allows_ats_translation)
{
	struct uiommu_dev *dev;

	hw_up(NULL);
	dev = dev_new(SID_A, 0, true);
	attach_ok(dev, UIOMMU_PASID_NONE, domain_new(UIOMMU_IOPT_ARM_LPAE_S1));
	cr_assert_eq(bits(dd_of(dev)->ste[1], 29, 28), 1, "EATS %" PRIu64
		     ", want 0b01 (full ATS)",
		     bits(dd_of(dev)->ste[1], 29, 28));
}

Test(tables, stage2_rid_attach_writes_s2_ste_for_the_domain)
{
	struct uiommu_domain *dom;
	struct uiommu_port *port;
	struct uiommu_dev *dev;
	const uint64_t *ste;

	hw_up(NULL);
	dev = dev_new(SID_A, 0, false);
	dom = domain_new(UIOMMU_IOPT_ARM_LPAE_S2);
	port = attach_ok(dev, UIOMMU_PASID_NONE, dom);
	ste = dd_of(dev)->ste;
	cr_assert_eq(bits(ste[0], 0, 0), 1, "V");
	cr_assert_eq(bits(ste[0], 3, 1), 6, "Config %" PRIu64 ", want 0b110",
		     bits(ste[0], 3, 1));
	cr_assert_neq(port_tag(port), 0);
	ste_s2_assert(ste, dom, port_tag(port));
}

/* S2SL0 and S2T0SZ follow the domain's input size (the core allows 32 to
 * 48 bits): 48 bits start at level 0, 39 and 32 at level 1; the model walks
 * each from there. */
Test(tables, stage2_ste_start_level_follows_domain_ias)
{
	static const uint8_t ias[] = { 48, 39, 32 };
	static const unsigned int level[] = { 0, 1, 1 };
	void *page = page_new();
	unsigned int i;

	hw_up(NULL);
	for (i = 0; i < RTE_DIM(ias); i++) {
		struct uiommu_domain_params p = {
			.fmt = UIOMMU_IOPT_ARM_LPAE_S2, .ias = ias[i],
		};
		struct uiommu_domain *dom;
		struct uiommu_port *port;
		struct uiommu_dev *dev;

		dom = uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, &p);
		cr_assert_not_null(dom, "ias %u: rte_errno %d", ias[i],
				   rte_errno);
		cr_assert_eq(iopt_info(dom).start_level, level[i]);
		dev = dev_new(SID_A + i, 0, false);
		port = attach_ok(dev, UIOMMU_PASID_NONE, dom);
		ste_s2_assert(dd_of(dev)->ste, dom, port_tag(port));
		map_ok(dom, (1ull << ias[i]) - SZ_4K, (uintptr_t)page, SZ_4K,
		       PROT_RW);
		sid_ok(SID_A + i, UIOMMU_PASID_NONE, (1ull << ias[i]) - 8,
		       UIOMMU_ACCESS_READ, (uintptr_t)page + SZ_4K - 8,
		       "last page of the IPA space");
	}
}

Test(tables, nested_rid_attach_writes_both_stages)
{
	struct uiommu_domain *s2, *nested;
	struct uiommu_port *port;
	struct uiommu_dev *dev;
	const uint64_t *ste;

	hw_up(NULL);
	dev = dev_new(SID_A, 4, false);
	s2 = domain_new(UIOMMU_IOPT_ARM_LPAE_S2);
	nested = nested_new(s2);
	port = attach_ok(dev, UIOMMU_PASID_NONE, nested);
	ste = dd_of(dev)->ste;
	cr_assert_eq(bits(ste[0], 3, 1), 7, "Config %" PRIu64 ", want 0b111",
		     bits(ste[0], 3, 1));
	cr_assert_eq(bits(ste[0], 55, 6) << 6,
		     (uintptr_t)dd_of(dev)->cd_table, "S1ContextPtr");
	cr_assert_eq(bits(ste[0], 63, 59), 4, "S1CDMax");
	cr_assert_eq(bits(ste[1], 1, 0), 2, "S1DSS %" PRIu64,
		     bits(ste[1], 1, 0));
	/* The STE's VMID is the driver's per-parent one, not a core tag. */
	cr_assert_neq(dd_of(dev)->nest_vmid, 0);
	cr_assert_neq(dd_of(dev)->nest_vmid, port_tag(port));
	ste_s2_assert(ste, s2, dd_of(dev)->nest_vmid);
	cd_assert(smmu_cd_slot(dd_of(dev), 0, false, 0), nested,
		  port_tag(port));
}

/* More than 2^10 PASIDs: S1Fmt 0b10, an L1 table of descriptors (V [0],
 * L2Ptr [51:12]) pointing at 64 KiB leaves of 1024 CDs. */
Test(tables, wide_pasid_device_uses_two_level_cd_table)
{
	struct smmu_drv_dev *dd;
	struct uiommu_domain *dom;
	struct uiommu_port *port;
	struct uiommu_dev *dev;
	uint64_t l1;

	hw_up(NULL);
	dev = dev_new(SID_A, 16, false);
	dom = domain_new(UIOMMU_IOPT_ARM_LPAE_S1);
	port = attach_ok(dev, 0x2345, dom);
	dd = dd_of(dev);
	cr_assert_eq(bits(dd->ste[0], 5, 4), 2, "S1Fmt %" PRIu64,
		     bits(dd->ste[0], 5, 4));
	cr_assert_eq(bits(dd->ste[0], 63, 59), 16, "S1CDMax");
	l1 = dd->cd_table[0x2345 >> 10];
	cr_assert_eq(bits(l1, 0, 0), 1, "L1CD.V");
	cr_assert_eq(bits(l1, 51, 12) << 12, (uintptr_t)dd->cd_leaf[0x2345 >> 10],
		     "L1CD.L2Ptr");
	cr_assert_eq(dd->cd_table[0], 0, "L1CD 0 without a leaf");
	cd_assert(&dd->cd_leaf[0x2345 >> 10][(0x2345 & 0x3ff) * 8], dom,
		  port_tag(port));
}

/* ----------------------------------------------------------- events -- */

TestSuite(events, .init = suite_init, .fini = suite_fini, .timeout = 120);

/* A device at SID_A with its RID on a fresh stage-1 domain that maps one
 * page at IOVA_BASE; the page is returned in *@page. */
static struct uiommu_port *
s1_rid_setup(struct uiommu_dev **dev, struct uiommu_domain **dom,
	     uint8_t pasid_bits, void **page)
{
	*dev = dev_new(SID_A, pasid_bits, false);
	*dom = domain_new(UIOMMU_IOPT_ARM_LPAE_S1);
	*page = page_new();
	map_ok(*dom, IOVA_BASE, (uintptr_t)*page, SZ_4K, PROT_RW);
	return attach_ok(*dev, UIOMMU_PASID_NONE, *dom);
}

Test(events, sid_without_l2_stream_table_is_c_bad_streamid)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_C_BAD_STREAMID, .sid = 0x1234,
	};
	struct uiommu_walk_result res;

	hw_up(NULL);
	dev_new(SID_A, 0, false);	/* L2 table 0 exists, 0x12 does not */
	cr_assert_null(drv->strtab_l2[0x1234 >> 8]);
	drain();
	memset(&res, 0, sizeof(res));
	smmu_model_translate(drv->model, 0x1234, UIOMMU_PASID_NONE, IOVA_BASE,
			     UIOMMU_ACCESS_READ, &res);
	cr_assert_eq(res.reason, UIOMMU_FAULT_BAD_DEVICE, "reason %s",
		     uiommu_fault_reason_str(res.reason));
	cr_assert_eq(res.tag, 0);
	expect_event(&want, 0, "no L2 table");
}

Test(events, sid_beyond_stream_table_is_c_bad_streamid)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_C_BAD_STREAMID, .sid = 0x10000,
	};

	hw_up(NULL);
	drain();
	sid_fault(0x10000, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ,
		  UIOMMU_FAULT_BAD_DEVICE, "SID 0x10000");
	expect_event(&want, 0, "SID 0x10000");
}

/* In a linear table every SID has an STE, zeroed (V = 0) until used. */
Test(events, unused_sid_in_linear_stream_table_is_c_bad_ste)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_C_BAD_STE, .sid = 0x1234,
	};

	hw_up("strtab=linear");
	drain();
	sid_fault(0x1234, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ,
		  UIOMMU_FAULT_BAD_TABLE, "unused SID");
	expect_event(&want, 0, "unused SID");
}

Test(events, unreachable_l2_stream_table_is_f_ste_fetch)
{
	/* STE 0x10 of the L2 table: 0x10 * 64 bytes in. */
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_F_STE_FETCH, .sid = SID_A,
		.ipa = BAD_ADDR + SID_A * 64,
	};
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	uint64_t desc;
	void *page;
	struct attempt a;

	hw_up(NULL);
	s1_rid_setup(&dev, &dom, 0, &page);
	drain();
	desc = drv->strtab[SID_A >> 8];
	cr_assert_eq(bits(desc, 51, 6) << 6, (uintptr_t)drv->strtab_l2[0]);
	/* L1STD.L2Ptr [51:6] */
	word_set(&drv->strtab[SID_A >> 8],
		 (desc & ~(bits(~0ull, 51, 6) << 6)) | BAD_ADDR);
	a = sid_try(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ);
	word_set(&drv->strtab[SID_A >> 8], desc);
	attempt_faulted(&a, UIOMMU_FAULT_BAD_TABLE, "L2Ptr outside memory");
	expect_event(&want, EV_IPA, "L2Ptr outside memory");
	sid_ok(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ,
	       (uintptr_t)page, "L2Ptr restored");
}

/*
 * Spec: IHI 0070 7.3.3: C_BAD_STREAMID also when the L1 descriptor's Span
 * exceeds STRTAB_BASE_CFG.SPLIT + 1 (here 9), not only for Span 0.
 */
Test(events, l1_span_beyond_split_is_c_bad_streamid)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_C_BAD_STREAMID, .sid = SID_A,
	};
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	uint64_t desc;
	void *page;
	struct attempt a;

	hw_up(NULL);
	s1_rid_setup(&dev, &dom, 0, &page);
	drain();
	desc = drv->strtab[SID_A >> 8];
	cr_assert_eq(bits(desc, 4, 0), 9, "Span = SPLIT + 1");
	word_set(&drv->strtab[SID_A >> 8], (desc & ~0x1full) | 10);
	a = sid_try(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ);
	word_set(&drv->strtab[SID_A >> 8], desc);
	attempt_faulted(&a, UIOMMU_FAULT_BAD_DEVICE, "Span 10");
	expect_event(&want, 0, "Span 10");
}

Test(events, invalid_ste_is_c_bad_ste)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_C_BAD_STE, .sid = SID_A,
	};
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	uint64_t *ste, w0;
	void *page;
	struct attempt a;

	hw_up(NULL);
	s1_rid_setup(&dev, &dom, 0, &page);
	drain();
	ste = dd_of(dev)->ste;
	w0 = ste[0];
	word_set(&ste[0], w0 & ~1ull);	/* V [0] */
	a = sid_try(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ);
	word_set(&ste[0], w0);
	attempt_faulted(&a, UIOMMU_FAULT_BAD_TABLE, "STE.V = 0");
	expect_event(&want, 0, "STE.V = 0");
	sid_ok(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ,
	       (uintptr_t)page, "STE restored");
}

/*
 * Spec: IHI 0070 5.2, STE.Config: 0b0xx are "Reserved (behaves as 0b000)",
 * i.e. abort with no event, like an ABORT STE; only an ILLEGAL STE is
 * C_BAD_STE.
 */
Test(events, reserved_ste_config_aborts_without_event)
{
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	uint64_t *ste, w0;
	void *page;
	struct attempt a;

	hw_up(NULL);
	s1_rid_setup(&dev, &dom, 0, &page);
	drain();
	ste = dd_of(dev)->ste;
	w0 = ste[0];
	word_set(&ste[0], (w0 & ~(7ull << 1)) | 1ull << 1);	/* Config 0b001 */
	a = sid_try(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ);
	word_set(&ste[0], w0);
	attempt_faulted(&a, UIOMMU_FAULT_BLOCKED, "Config 0b001");
	expect_no_event("Config 0b001");
}

/* IDR5 advertises only the 4 KiB granule: S2TG 0b01 (64 KiB) is ILLEGAL. */
Test(events, ste_with_unsupported_s2_granule_is_c_bad_ste)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_C_BAD_STE, .sid = SID_A,
	};
	struct uiommu_dev *dev;
	uint64_t *ste, w2;
	struct attempt a;

	hw_up(NULL);
	dev = dev_new(SID_A, 0, false);
	attach_ok(dev, UIOMMU_PASID_NONE, domain_new(UIOMMU_IOPT_ARM_LPAE_S2));
	drain();
	ste = dd_of(dev)->ste;
	w2 = ste[2];
	word_set(&ste[2], (w2 & ~(3ull << 46)) | 1ull << 46);	/* S2TG */
	a = sid_try(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ);
	word_set(&ste[2], w2);
	attempt_faulted(&a, UIOMMU_FAULT_BAD_TABLE, "S2TG 64K");
	expect_event(&want, 0, "S2TG 64K");
}

Test(events, pasid_beyond_s1cdmax_is_c_bad_substreamid)
{
	/* C_BAD_SUBSTREAMID has no SSV qualifier (7.3.9): not compared. */
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_C_BAD_SUBSTREAMID, .sid = SID_A, .ssid = 16,
	};
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	void *page;

	hw_up(NULL);
	s1_rid_setup(&dev, &dom, 4, &page);
	drain();
	sid_fault(SID_A, 16, IOVA_BASE, UIOMMU_ACCESS_READ,
		  UIOMMU_FAULT_BAD_PASID, "PASID 16, S1CDMax 4");
	expect_event(&want, EV_NO_SSV, "PASID 16, S1CDMax 4");
}

Test(events, pasid_on_stage2_only_ste_is_c_bad_substreamid)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_C_BAD_SUBSTREAMID, .sid = SID_A, .ssid = 1,
	};
	struct uiommu_dev *dev;

	hw_up(NULL);
	dev = dev_new(SID_A, 4, false);
	attach_ok(dev, UIOMMU_PASID_NONE, domain_new(UIOMMU_IOPT_ARM_LPAE_S2));
	drain();
	sid_fault(SID_A, 1, IOVA_BASE, UIOMMU_ACCESS_READ,
		  UIOMMU_FAULT_BAD_PASID, "PASID on stage 2");
	expect_event(&want, EV_NO_SSV, "PASID on stage 2");
}

/* A 2-level CD table whose L1 descriptor for the PASID is invalid. */
Test(events, pasid_without_cd_leaf_is_c_bad_substreamid)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_C_BAD_SUBSTREAMID, .sid = SID_A, .ssid = 0x2000,
	};
	struct uiommu_dev *dev;

	hw_up(NULL);
	dev = dev_new(SID_A, 16, false);
	attach_ok(dev, 1, domain_new(UIOMMU_IOPT_ARM_LPAE_S1));
	cr_assert_null(dd_of(dev)->cd_leaf[0x2000 >> 10]);
	drain();
	sid_fault(SID_A, 0x2000, IOVA_BASE, UIOMMU_ACCESS_READ,
		  UIOMMU_FAULT_BAD_PASID, "no CD leaf");
	expect_event(&want, EV_NO_SSV, "no CD leaf");
}

/*
 * Spec: IHI 0070 5.2 STE.S1DSS 0b00 and 7.3.7: a transaction without a
 * SubstreamID on an STE with S1CDMax > 0 and S1DSS terminate is aborted
 * with F_STREAM_DISABLED (0x06), not C_BAD_SUBSTREAMID. The core sees a
 * blocked RID.
 */
Test(events, untagged_traffic_with_s1dss_terminate_is_f_stream_disabled)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_F_STREAM_DISABLED, .sid = SID_A,
	};
	struct uiommu_dev *dev;

	hw_up(NULL);
	dev = dev_new(SID_A, 4, false);
	attach_ok(dev, 1, domain_new(UIOMMU_IOPT_ARM_LPAE_S1));
	cr_assert_eq(bits(dd_of(dev)->ste[1], 1, 0), 0, "S1DSS terminate");
	drain();
	sid_fault(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ,
		  UIOMMU_FAULT_BLOCKED, "no SSID, S1DSS terminate");
	expect_event(&want, EV_NO_SSV, "no SSID, S1DSS terminate");
}

/*
 * Spec: IHI 0070 5.2 STE.S1DSS 0b10 and 7.3.7: with S1DSS = SSID0, CD 0 is
 * reserved for untagged traffic and a transaction tagged with SubstreamID 0
 * is F_STREAM_DISABLED.
 */
Test(events, ssid0_with_s1dss_ssid0_is_f_stream_disabled)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_F_STREAM_DISABLED, .sid = SID_A,
	};
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	void *page;

	hw_up(NULL);
	s1_rid_setup(&dev, &dom, 4, &page);
	drain();
	sid_fault(SID_A, 0, IOVA_BASE, UIOMMU_ACCESS_READ,
		  UIOMMU_FAULT_BAD_PASID, "SSID 0, S1DSS SSID0");
	expect_event(&want, EV_NO_SSV, "SSID 0, S1DSS SSID0");
}

/*
 * Spec: IHI 0070 5.2 STE.S1DSS: 0b11 is "Reserved (behaves as 0b00)", i.e.
 * F_STREAM_DISABLED for untagged traffic.
 */
Test(events, reserved_s1dss_behaves_as_terminate)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_F_STREAM_DISABLED, .sid = SID_A,
	};
	struct uiommu_dev *dev;
	uint64_t *ste, w1;
	struct attempt a;

	hw_up(NULL);
	dev = dev_new(SID_A, 4, false);
	attach_ok(dev, 1, domain_new(UIOMMU_IOPT_ARM_LPAE_S1));
	drain();
	ste = dd_of(dev)->ste;
	w1 = ste[1];
	word_set(&ste[1], w1 | 3);	/* S1DSS [65:64] = 0b11 */
	a = sid_try(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ);
	word_set(&ste[1], w1);
	attempt_faulted(&a, UIOMMU_FAULT_BLOCKED, "S1DSS 0b11");
	expect_event(&want, EV_NO_SSV, "S1DSS 0b11");
}

/*
 * Spec: IHI 0070 5.2 STE.S1Fmt: 0b11 is "Reserved (behaves as 0b00)", a
 * linear CD table.
 */
Test(events, reserved_s1fmt_behaves_as_linear)
{
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	uint64_t *ste, w0;
	void *page;
	struct attempt a;

	hw_up(NULL);
	dev = dev_new(SID_A, 4, false);
	dom = domain_new(UIOMMU_IOPT_ARM_LPAE_S1);
	page = page_new();
	map_ok(dom, IOVA_BASE, (uintptr_t)page, SZ_4K, PROT_RW);
	attach_ok(dev, 3, dom);
	drain();
	ste = dd_of(dev)->ste;
	w0 = ste[0];
	cr_assert_eq(bits(w0, 5, 4), 0, "linear CD table");
	word_set(&ste[0], w0 | 3ull << 4);	/* S1Fmt [5:4] = 0b11 */
	a = sid_try(SID_A, 3, IOVA_BASE, UIOMMU_ACCESS_READ);
	word_set(&ste[0], w0);
	attempt_ok(&a, (uintptr_t)page, "S1Fmt 0b11");
	expect_no_event("S1Fmt 0b11");
}

/* The fetch address is the CD's: S1ContextPtr + SSID * 64. */
Test(events, unreachable_cd_table_is_f_cd_fetch)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_F_CD_FETCH, .sid = SID_A, .ssv = true, .ssid = 3,
		.ipa = BAD_ADDR + 3 * 64,
	};
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	uint64_t *ste, w0;
	void *page;
	struct attempt a;

	hw_up(NULL);
	dev = dev_new(SID_A, 4, false);
	dom = domain_new(UIOMMU_IOPT_ARM_LPAE_S1);
	page = page_new();
	map_ok(dom, IOVA_BASE, (uintptr_t)page, SZ_4K, PROT_RW);
	attach_ok(dev, 3, dom);
	drain();
	ste = dd_of(dev)->ste;
	w0 = ste[0];
	/* S1ContextPtr [55:6] */
	word_set(&ste[0], (w0 & ~(bits(~0ull, 55, 6) << 6)) | BAD_ADDR);
	a = sid_try(SID_A, 3, IOVA_BASE, UIOMMU_ACCESS_READ);
	word_set(&ste[0], w0);
	attempt_faulted(&a, UIOMMU_FAULT_BAD_TABLE, "S1ContextPtr outside memory");
	expect_event(&want, EV_IPA, "S1ContextPtr outside memory");
	sid_ok(SID_A, 3, IOVA_BASE, UIOMMU_ACCESS_READ, (uintptr_t)page,
	       "S1ContextPtr restored");
}

/* Set CD word 0 of PASID 3 to (w0 & ~@clear) | @set, expect C_BAD_CD,
 * restore. */
static void
cd_word0_is_c_bad_cd(uint64_t clear, uint64_t set, const char *what)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_C_BAD_CD, .sid = SID_A, .ssv = true, .ssid = 3,
	};
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	uint64_t *cd, w0;
	void *page;
	struct attempt a;

	hw_up(NULL);
	dev = dev_new(SID_A, 4, false);
	dom = domain_new(UIOMMU_IOPT_ARM_LPAE_S1);
	page = page_new();
	map_ok(dom, IOVA_BASE, (uintptr_t)page, SZ_4K, PROT_RW);
	attach_ok(dev, 3, dom);
	drain();
	cd = smmu_cd_slot(dd_of(dev), 3, false, 0);
	w0 = cd[0];
	word_set(&cd[0], (w0 & ~clear) | set);
	a = sid_try(SID_A, 3, IOVA_BASE, UIOMMU_ACCESS_READ);
	word_set(&cd[0], w0);
	attempt_faulted(&a, UIOMMU_FAULT_BAD_TABLE, what);
	expect_event(&want, 0, what);
	sid_ok(SID_A, 3, IOVA_BASE, UIOMMU_ACCESS_READ, (uintptr_t)page,
	       "CD restored");
}

Test(events, invalid_cd_of_attached_pasid_is_c_bad_cd)
{
	cd_word0_is_c_bad_cd(1ull << 31, 0, "CD.V = 0");
}

Test(events, cd_with_64k_granule_is_c_bad_cd)
{
	cd_word0_is_c_bad_cd(3ull << 6, 1ull << 6, "CD.TG0 = 64K");
}

Test(events, cd_with_aarch32_tables_is_c_bad_cd)
{
	cd_word0_is_c_bad_cd(1ull << 41, 0, "CD.AA64 = 0");
}

/* A level-0 table outside memory: the descriptor address is TTB0 + the
 * level-0 index (IOVA[47:39]) * 8. */
Test(events, unreachable_stage1_table_is_f_walk_eabt)
{
	const uint64_t iova = 3ull << 39 | 0x5000;
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_F_WALK_EABT, .sid = SID_A, .addr = iova,
		.rnw = false, .s2 = false, .class = EVTQ_CLASS_TT,
		.ipa = BAD_ADDR + 3 * 8,
	};
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	struct uiommu_fault f;
	uint64_t *cd, w1;
	void *page;
	struct attempt a;

	hw_up(NULL);
	s1_rid_setup(&dev, &dom, 0, &page);
	drain();
	cd = smmu_cd_slot(dd_of(dev), 0, false, 0);
	w1 = cd[1];
	word_set(&cd[1], BAD_ADDR);	/* TTB0 [51:4] */
	a = sid_try(SID_A, UIOMMU_PASID_NONE, iova, UIOMMU_ACCESS_WRITE);
	word_set(&cd[1], w1);
	f = attempt_faulted(&a, UIOMMU_FAULT_BAD_TABLE, "TTB0 outside memory");
	cr_assert_eq(f.level, 0, "fault level %u", f.level);
	expect_event(&want, EV_INPUT | EV_STAGE | EV_IPA, "TTB0 outside");
	sid_ok(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ,
	       (uintptr_t)page, "TTB0 restored");
}

/* The record as the SMMU writes it, word by word (7.3.13), and decoded. */
Test(events, unmapped_iova_is_f_translation)
{
	const uint64_t iova = IOVA_BASE + SZ_4K + 0x123;
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_F_TRANSLATION, .sid = SID_A, .addr = iova,
		.rnw = true, .s2 = false, .class = EVTQ_CLASS_IN, .ipa = 0,
	};
	uint64_t rec[EVTQ_ENT_DWORDS];
	struct uiommu_domain *dom;
	struct uiommu_port *port;
	struct uiommu_dev *dev;
	struct uiommu_fault f;
	void *page;

	hw_up(NULL);
	port = s1_rid_setup(&dev, &dom, 0, &page);
	drain();
	f = port_fault(port, iova, UIOMMU_ACCESS_READ,
		       UIOMMU_FAULT_TRANSLATION, "unmapped");
	cr_assert_eq(f.level, 3, "fault level %u (the page's L3 table "
		     "exists)", f.level);
	evtq_peek(rec);
	cr_assert_eq(rec[0], 0x10 | (uint64_t)SID_A << 32, "word 0 %#" PRIx64,
		     rec[0]);
	cr_assert_eq(rec[1], 1ull << 35 | 2ull << 40, "word 1 %#" PRIx64,
		     rec[1]);
	cr_assert_eq(rec[2], iova, "word 2 %#" PRIx64, rec[2]);
	cr_assert_eq(rec[3], 0, "word 3 %#" PRIx64, rec[3]);
	expect_event(&want, EV_INPUT | EV_STAGE | EV_IPA, "unmapped");
}

Test(events, unmapped_iova_of_pasid_records_its_ssid)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_F_TRANSLATION, .sid = SID_A, .ssv = true,
		.ssid = 5, .addr = IOVA_BASE, .rnw = false, .s2 = false,
		.class = EVTQ_CLASS_IN,
	};
	struct uiommu_port *port;
	struct uiommu_dev *dev;

	hw_up(NULL);
	dev = dev_new(SID_A, 4, false);
	port = attach_ok(dev, 5, domain_new(UIOMMU_IOPT_ARM_LPAE_S1));
	drain();
	port_fault(port, IOVA_BASE, UIOMMU_ACCESS_WRITE,
		   UIOMMU_FAULT_TRANSLATION, "PASID 5 unmapped");
	expect_event(&want, EV_INPUT | EV_STAGE, "PASID 5 unmapped");
}

/* Modify the leaf of IOVA_BASE with @clear/@set and expect event @id with
 * core reason @reason at level 3; restore. */
static void
leaf_fault(uint64_t clear, uint64_t set, uint8_t id,
	   enum uiommu_fault_reason reason, const char *what)
{
	const uint64_t iova = IOVA_BASE + 0x10;
	const struct uiommu_smmu_event want = {
		.id = id, .sid = SID_A, .addr = iova, .rnw = true,
		.s2 = false, .class = EVTQ_CLASS_IN,
	};
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	struct uiommu_fault f;
	uint64_t *ptep, pte;
	void *page;
	struct attempt a;

	hw_up(NULL);
	s1_rid_setup(&dev, &dom, 0, &page);
	drain();
	ptep = leaf_pte(dom, IOVA_BASE);
	pte = *ptep;
	cr_assert_eq(pte & ARM_LPAE_PTE_ADDR, (uintptr_t)page);
	word_set(ptep, (pte & ~clear) | set);
	a = sid_try(SID_A, UIOMMU_PASID_NONE, iova, UIOMMU_ACCESS_READ);
	word_set(ptep, pte);
	f = attempt_faulted(&a, reason, what);
	cr_assert_eq(f.level, 3, "%s: fault level %u", what, f.level);
	expect_event(&want, EV_INPUT | EV_STAGE, what);
	sid_ok(SID_A, UIOMMU_PASID_NONE, iova, UIOMMU_ACCESS_READ,
	       (uintptr_t)page + 0x10, "leaf restored");
}

/* OA[51:48] (FEAT_LPA) beyond the 48-bit IPS. */
Test(events, leaf_with_output_above_48_bits_is_f_addr_size)
{
	leaf_fault(0, 1ull << 48, EVT_ID_F_ADDR_SIZE,
		   UIOMMU_FAULT_ADDR_SIZE, "OA[48] set");
}

Test(events, leaf_without_access_flag_is_f_access)
{
	leaf_fault(ARM_LPAE_PTE_AF, 0, EVT_ID_F_ACCESS,
		   UIOMMU_FAULT_ACCESS_FLAG, "AF clear");
}

Test(events, write_to_read_only_page_is_f_permission)
{
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_F_PERMISSION, .sid = SID_A, .addr = IOVA_BASE + 8,
		.rnw = false, .s2 = false, .class = EVTQ_CLASS_IN,
	};
	struct uiommu_domain *dom;
	struct uiommu_port *port;
	struct uiommu_dev *dev;
	void *page;

	hw_up(NULL);
	dev = dev_new(SID_A, 0, false);
	dom = domain_new(UIOMMU_IOPT_ARM_LPAE_S1);
	page = page_new();
	map_ok(dom, IOVA_BASE, (uintptr_t)page, SZ_4K, UIOMMU_PROT_READ);
	port = attach_ok(dev, UIOMMU_PASID_NONE, dom);
	drain();
	port_fault(port, IOVA_BASE + 8, UIOMMU_ACCESS_WRITE,
		   UIOMMU_FAULT_PERMISSION, "write to RO");
	expect_event(&want, EV_INPUT | EV_STAGE | EV_IPA, "write to RO");
}

/* Stage 1 allows the write, stage 2 does not: S2 = 1, CLASS IN, and the
 * IPA (page) that stage 2 refused. */
Test(events, stage2_permission_fault_of_nested_domain_reports_ipa)
{
	const uint64_t iova = IOVA_BASE + 0x123;
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_F_PERMISSION, .sid = SID_A, .addr = iova,
		.rnw = false, .s2 = true, .class = EVTQ_CLASS_IN,
		.ipa = IPA_BASE,
	};
	struct uiommu_domain *s2, *nested;
	struct uiommu_port *port;
	struct uiommu_dev *dev;
	void *page;

	hw_up(NULL);
	dev = dev_new(SID_A, 0, false);
	s2 = domain_new(UIOMMU_IOPT_ARM_LPAE_S2);
	nested = nested_new(s2);
	page = page_new();
	map_ok(s2, IPA_BASE, (uintptr_t)page, SZ_4K, UIOMMU_PROT_READ);
	map_ok(nested, IOVA_BASE, IPA_BASE, SZ_4K, PROT_RW);
	port = attach_ok(dev, UIOMMU_PASID_NONE, nested);
	drain();
	cr_assert_eq((uintptr_t)uiommu_translate(port, iova, 1,
						 UIOMMU_ACCESS_READ),
		     (uintptr_t)page + 0x123, "read through both stages");
	port_fault(port, iova, UIOMMU_ACCESS_WRITE, UIOMMU_FAULT_PERMISSION,
		   "stage-2 write to RO");
	expect_event(&want, EV_INPUT | EV_STAGE | EV_IPA, "stage-2 RO");
}

Test(events, stage2_translation_fault_reports_ipa)
{
	const uint64_t ipa = IPA_BASE + 7 * SZ_4K + 0x44;
	const struct uiommu_smmu_event want = {
		.id = EVT_ID_F_TRANSLATION, .sid = SID_A, .addr = ipa,
		.rnw = true, .s2 = true, .class = EVTQ_CLASS_IN,
		.ipa = IPA_BASE + 7 * SZ_4K,
	};
	struct uiommu_port *port;
	struct uiommu_dev *dev;

	hw_up(NULL);
	dev = dev_new(SID_A, 0, false);
	port = attach_ok(dev, UIOMMU_PASID_NONE,
			 domain_new(UIOMMU_IOPT_ARM_LPAE_S2));
	drain();
	port_fault(port, ipa, UIOMMU_ACCESS_READ, UIOMMU_FAULT_TRANSLATION,
		   "stage-2 unmapped");
	expect_event(&want, EV_INPUT | EV_STAGE | EV_IPA, "stage-2 unmapped");
}

/*
 * Spec: IHI 0070 7.3: "Portions of event records that are not explicitly
 * defined in this section are RES0". C_BAD_STE (7.3.5) defines only
 * StreamID, SSV and SubstreamID: no CLASS (word 1), no InputAddr (word 2).
 */
Test(events, c_bad_ste_record_leaves_undefined_words_res0)
{
	uint64_t rec[EVTQ_ENT_DWORDS];
	struct uiommu_dev *dev;
	uint64_t *ste, w0;
	struct attempt a;

	hw_up(NULL);
	dev = dev_new(SID_A, 0, false);
	attach_ok(dev, UIOMMU_PASID_NONE, domain_new(UIOMMU_IOPT_ARM_LPAE_S1));
	drain();
	ste = dd_of(dev)->ste;
	w0 = ste[0];
	word_set(&ste[0], w0 & ~1ull);
	a = sid_try(SID_A, UIOMMU_PASID_NONE, 0x12345000, UIOMMU_ACCESS_WRITE);
	word_set(&ste[0], w0);
	attempt_faulted(&a, UIOMMU_FAULT_BAD_TABLE, "STE.V = 0");
	evtq_peek(rec);
	cr_assert_eq(rec[0], 0x04 | (uint64_t)SID_A << 32, "word 0 %#" PRIx64,
		     rec[0]);
	cr_assert_eq(rec[1], 0, "word 1 %#" PRIx64 " (RES0)", rec[1]);
	cr_assert_eq(rec[2], 0, "word 2 %#" PRIx64 " (RES0)", rec[2]);
	cr_assert_eq(rec[3], 0, "word 3 %#" PRIx64 " (RES0)", rec[3]);
}

/* ----------------------------------------------------------- walker -- */

/*
 * The model's walk against a reference: a list of the mappings made, each
 * a linear range (iova -> out) with one page size and one set of rights.
 * Random ranges of 4 KiB pages, 2 MiB blocks and 1 GiB blocks (IOVA and
 * output aligned so that the core picks exactly that size), then random
 * probes, inside ranges, next to their edges and anywhere in the window,
 * each checked four ways: reference, smmu_model_translate(), the core's
 * uiommu_iova_to_va() and uiommu_translate() on a port (twice: the IOTLB
 * miss, then its hit). Then half the ranges are unmapped and the probes
 * repeated, which catches IOTLB entries the unmaps left behind.
 *
 * Outputs of 4 KiB and 2 MiB ranges are in a 64 MiB rte_malloc buffer;
 * 1 GiB blocks cannot fit in EAL's 512 MiB, so they point at a synthetic
 * 1 GiB-aligned region that nothing dereferences (translations are only
 * compared).
 */
TestSuite(walker, .init = suite_init, .fini = suite_fini, .timeout = 120);

#define WIN_BITS	40		/* IOVAs and IPAs drawn below 1 TiB */
#define HOST_BUF_SIZE	(64ull << 20)
#define FAKE_1G_BASE	(1ull << 46)	/* synthetic outputs of 1 GiB blocks */
#define MAX_RANGES	96
#define N_PROBES	4000

struct range {
	uint64_t iova;
	uint64_t size;
	uint64_t out;
	uint8_t shift;		/* page size the core maps it with */
	uint8_t prot;
};

struct space {
	struct range r[MAX_RANGES];
	unsigned int n;
	/* Unmapped again: still probed, where stale IOTLB entries would be. */
	struct range gone[MAX_RANGES];
	unsigned int n_gone;
};

struct rnd {
	uint64_t seed;
	uint64_t state;
};

static uint64_t
random_seed(void)
{
	const char *env = getenv("UIOMMU_TEST_SEED");

	if (env != NULL && *env != '\0')
		return strtoull(env, NULL, 0);
	return ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
}

static void
rnd_init(struct rnd *r, const char *what)
{
	r->seed = random_seed();
	r->state = r->seed;
	cr_log_info("%s: seed %" PRIu64 " (UIOMMU_TEST_SEED=%" PRIu64
		    " repeats it)", what, r->seed, r->seed);
}

/* splitmix64: a fixed generator, so a seed replays on any libc. */
static uint64_t
rnd64(struct rnd *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t
rnd_below(struct rnd *r, uint64_t n)
{
	return rnd64(r) % n;
}

static const struct range *
space_find(const struct space *s, uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (addr >= s->r[i].iova && addr - s->r[i].iova < s->r[i].size)
			return &s->r[i];
	return NULL;
}

static bool
space_overlaps(const struct space *s, uint64_t iova, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (iova < s->r[i].iova + s->r[i].size &&
		    s->r[i].iova < iova + size)
			return true;
	return false;
}

/*
 * Add @n ranges of page shift @shift to @s and map them in @dom. Output:
 * into @below's ranges when given (a nested domain's IPAs, mostly inside
 * the parent's mappings), else the host buffer (4 KiB, 2 MiB) or the
 * synthetic region (1 GiB).
 */
static void
space_add(struct rnd *r, struct space *s, struct uiommu_domain *dom,
	  unsigned int n, unsigned int shift, bool stage2, uint8_t *buf,
	  const struct space *below)
{
	static const uint8_t s1_prot[] = { UIOMMU_PROT_READ, PROT_RW };
	static const uint8_t s2_prot[] = {
		UIOMMU_PROT_READ, UIOMMU_PROT_WRITE, PROT_RW,
	};
	const uint64_t pgsize = 1ull << shift;

	while (n-- > 0) {
		uint64_t pages = shift == 30 ? 1 : 1 + rnd_below(r, shift == 21 ?
								 4 : 8);
		uint64_t size = pages * pgsize, iova, out;
		struct range *e;

		cr_assert_lt(s->n, MAX_RANGES);
		do {
			iova = rnd_below(r, (1ull << WIN_BITS) >> shift) << shift;
		} while (space_overlaps(s, iova, size));
		if (below != NULL && below->n != 0 && rnd_below(r, 5) != 0) {
			const struct range *t;

			/* A target whose pages are at least this big, so
			 * that the aligned output stays inside it. */
			do
				t = &below->r[rnd_below(r, below->n)];
			while (t->shift < shift);
			out = (t->iova + rnd_below(r, t->size)) & ~(pgsize - 1);
		} else if (below != NULL) {
			out = rnd_below(r, (1ull << WIN_BITS) >> shift) << shift;
		} else if (shift == 30) {
			out = FAKE_1G_BASE + (rnd_below(r, 1024) << 30);
		} else {
			out = (uintptr_t)buf + (rnd_below(r, (HOST_BUF_SIZE - size) >>
							  shift) << shift);
		}
		e = &s->r[s->n++];
		*e = (struct range){
			.iova = iova, .size = size, .out = out, .shift = shift,
			.prot = stage2 ? s2_prot[rnd_below(r, 3)] :
					 s1_prot[rnd_below(r, 2)],
		};
		map_ok(dom, iova, out, size, e->prot);
	}
}

static void
space_fill(struct rnd *r, struct space *s, struct uiommu_domain *dom,
	   bool stage2, uint8_t *buf, const struct space *below)
{
	space_add(r, s, dom, 6, 30, stage2, buf, below);
	space_add(r, s, dom, 16, 21, stage2, buf, below);
	space_add(r, s, dom, 40, 12, stage2, buf, below);
}

/* Unmap every other range (by a coin toss) and drop it from @s. */
static void
space_unmap_some(struct rnd *r, struct space *s, struct uiommu_domain *dom)
{
	unsigned int i = 0;

	while (i < s->n) {
		if (rnd_below(r, 2) == 0) {
			i++;
			continue;
		}
		cr_assert_eq(uiommu_unmap(dom, s->r[i].iova, s->r[i].size), 0,
			     "unmap %#" PRIx64, s->r[i].iova);
		s->gone[s->n_gone++] = s->r[i];
		s->r[i] = s->r[--s->n];
	}
}

/* What a correct SMMU answers, from the range lists alone. */
struct expect {
	bool mapped;		/* every stage has a mapping (iova_to_va) */
	uint64_t va;
	uint8_t reason;		/* UIOMMU_FAULT_NONE: access allowed */
	uint8_t shift;
};

static struct expect
ref_translate(const struct space *s1, const struct space *s2, uint64_t iova,
	      uint32_t access)
{
	struct expect e = { .reason = UIOMMU_FAULT_TRANSLATION };
	const struct space *first = s1 != NULL ? s1 : s2;
	const struct range *a = space_find(first, iova), *b;
	uint64_t mid;

	if (a == NULL)
		return e;
	mid = a->out + (iova - a->iova);
	e.shift = a->shift;
	if (s1 == NULL || s2 == NULL) {
		e.mapped = true;
		e.va = mid;
		e.reason = (access & ~a->prot) ? UIOMMU_FAULT_PERMISSION :
						 UIOMMU_FAULT_NONE;
		return e;
	}
	b = space_find(s2, mid);
	if (b != NULL) {
		e.mapped = true;
		e.va = b->out + (mid - b->iova);
		e.shift = RTE_MIN(a->shift, b->shift);
	}
	/* Stage 1's checks come first, then stage 2's. */
	if (access & ~a->prot)
		e.reason = UIOMMU_FAULT_PERMISSION;
	else if (b == NULL)
		e.reason = UIOMMU_FAULT_TRANSLATION;
	else if (access & ~b->prot)
		e.reason = UIOMMU_FAULT_PERMISSION;
	else
		e.reason = UIOMMU_FAULT_NONE;
	return e;
}

static uint64_t
probe_iova(struct rnd *r, const struct space *s)
{
	unsigned int k = rnd_below(r, s->n + s->n_gone + 1);
	const struct range *t;
	uint64_t d;

	if (k == s->n + s->n_gone)
		return rnd_below(r, 1ull << WIN_BITS);
	t = k < s->n ? &s->r[k] : &s->gone[k - s->n];
	switch (rnd_below(r, 5)) {
	case 0:
	case 1:
		return t->iova + rnd_below(r, t->size);
	case 2:
		d = rnd_below(r, 4 * SZ_4K);
		if (rnd_below(r, 2) == 0 && t->iova > d)
			return t->iova - 1 - d;
		return t->iova + t->size + d;
	default:
		return rnd_below(r, 1ull << WIN_BITS);
	}
}

struct walk_case {
	const char *name;
	struct rnd rnd;
	const struct space *s1, *s2;	/* s1 NULL: stage 2 only */
	const struct uiommu_domain *dom;
	const struct uiommu_port *port;
	unsigned int outcome[UIOMMU_FAULT_REASON_MAX];	/* by reason */
};

#define PROBE_FMT	"%s seed %" PRIu64 " probe %u iova %#" PRIx64 " %s"
#define PROBE_ARGS(c, i, iova, access) (c)->name, (c)->rnd.seed, (i), (iova), \
	((access) == UIOMMU_ACCESS_WRITE ? "write" : "read")

static void
probe_one(struct walk_case *c, unsigned int i)
{
	uint64_t iova = probe_iova(&c->rnd, c->s1 != NULL ? c->s1 : c->s2);
	uint32_t access = rnd_below(&c->rnd, 2) ? UIOMMU_ACCESS_WRITE :
						  UIOMMU_ACCESS_READ;
	struct expect e = ref_translate(c->s1, c->s2, iova, access);
	struct uiommu_walk_result res;
	uint64_t want_va = e.reason == UIOMMU_FAULT_NONE ? e.va : 0;
	unsigned int pass;
	void *va;

	c->outcome[e.reason]++;
	memset(&res, 0, sizeof(res));
	smmu_model_translate(drv->model, c->port->sid, UIOMMU_PASID_NONE, iova,
			     access, &res);
	cr_assert_eq(res.reason, e.reason, PROBE_FMT ": model %s, want %s",
		     PROBE_ARGS(c, i, iova, access),
		     uiommu_fault_reason_str(res.reason),
		     uiommu_fault_reason_str(e.reason));
	if (e.reason == UIOMMU_FAULT_NONE) {
		cr_assert_eq(res.pgshift, e.shift, PROBE_FMT ": model page "
			     "shift %u, want %u", PROBE_ARGS(c, i, iova, access),
			     res.pgshift, e.shift);
		cr_assert_eq(res.out & ((1ull << res.pgshift) - 1), 0,
			     PROBE_FMT ": out %#" PRIx64 " not page aligned",
			     PROBE_ARGS(c, i, iova, access), res.out);
		cr_assert_eq(res.out + (iova & ((1ull << res.pgshift) - 1)),
			     e.va, PROBE_FMT ": model -> %#" PRIx64 ", want %#"
			     PRIx64, PROBE_ARGS(c, i, iova, access),
			     res.out + (iova & ((1ull << res.pgshift) - 1)),
			     e.va);
		cr_assert_eq(res.tag, port_tag(c->port), PROBE_FMT ": tag %u, "
			     "want the port's %u", PROBE_ARGS(c, i, iova,
			     access), res.tag, port_tag(c->port));
	}
	va = uiommu_iova_to_va(c->dom, iova);
	cr_assert_eq((uintptr_t)va, e.mapped ? e.va : 0, PROBE_FMT
		     ": iova_to_va %p, want %#" PRIx64,
		     PROBE_ARGS(c, i, iova, access), va,
		     e.mapped ? e.va : 0);
	for (pass = 0; pass < 2; pass++) {
		va = uiommu_translate(c->port, iova, 1, access);
		cr_assert_eq((uintptr_t)va, want_va, PROBE_FMT ": translate "
			     "(pass %u) %p, want %#" PRIx64,
			     PROBE_ARGS(c, i, iova, access), pass, va,
			     want_va);
	}
}

/* @guard: fail if the probes were mostly of one outcome (after the unmaps
 * the mix depends too much on which ranges went). */
static void
probe_all(struct walk_case *c, bool guard)
{
	unsigned int i;

	memset(c->outcome, 0, sizeof(c->outcome));
	for (i = 0; i < N_PROBES; i++)
		probe_one(c, i);
	cr_log_info("%s: %u probes, %u translated, %u translation and %u "
		    "permission faults", c->name, N_PROBES,
		    c->outcome[UIOMMU_FAULT_NONE],
		    c->outcome[UIOMMU_FAULT_TRANSLATION],
		    c->outcome[UIOMMU_FAULT_PERMISSION]);
	/* A probe mix that tests nothing would pass too: insist on both. */
	if (guard) {
		cr_assert_gt(c->outcome[UIOMMU_FAULT_NONE], N_PROBES / 40,
			     "%s seed %" PRIu64 ": too few translations",
			     c->name, c->rnd.seed);
		cr_assert_gt(c->outcome[UIOMMU_FAULT_TRANSLATION],
			     N_PROBES / 40, "%s seed %" PRIu64 ": too few "
			     "faults", c->name, c->rnd.seed);
	}
	/* Keep the fault queue from filling: the probes fault by design. */
	drain();
}

static uint8_t *
host_buf(void)
{
	uint8_t *buf = rte_zmalloc("test_host_buf", HOST_BUF_SIZE, SZ_2M);

	cr_assert_not_null(buf, "64 MiB host buffer");
	return buf;
}

/* One stage of @fmt at the RID: map, probe, unmap half, probe again. */
static void
walk_single_stage(struct walk_case *c, struct space *sp,
		  enum uiommu_iopt_fmt fmt)
{
	bool stage2 = fmt == UIOMMU_IOPT_ARM_LPAE_S2;
	uint8_t *buf = host_buf();
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;

	hw_up(NULL);
	rnd_init(&c->rnd, c->name);
	dev = dev_new(SID_A, 0, false);
	dom = domain_new(fmt);
	c->dom = dom;
	c->port = attach_ok(dev, UIOMMU_PASID_NONE, dom);
	space_fill(&c->rnd, sp, dom, stage2, buf, NULL);
	probe_all(c, true);
	space_unmap_some(&c->rnd, sp, dom);
	probe_all(c, false);
	rte_free(buf);
}

Test(walker, stage1_walk_agrees_with_core)
{
	static struct space s1;
	struct walk_case c = { .name = "stage 1", .s1 = &s1 };

	walk_single_stage(&c, &s1, UIOMMU_IOPT_ARM_LPAE_S1);
}

Test(walker, stage2_walk_agrees_with_core)
{
	static struct space s2;
	struct walk_case c = { .name = "stage 2", .s2 = &s2 };

	walk_single_stage(&c, &s2, UIOMMU_IOPT_ARM_LPAE_S2);
}

/* Stage-1 outputs are IPAs, mostly inside the parent's mappings; the
 * unmaps are in the parent, whose invalidation must reach the nested
 * domain's IOTLB entries. */
Test(walker, nested_walk_agrees_with_core)
{
	static struct space s1, s2;
	struct walk_case c = { .name = "nested", .s1 = &s1, .s2 = &s2 };
	struct uiommu_domain *parent, *nested;
	struct uiommu_dev *dev;
	uint8_t *buf = host_buf();

	hw_up(NULL);
	rnd_init(&c.rnd, c.name);
	dev = dev_new(SID_A, 0, false);
	parent = domain_new(UIOMMU_IOPT_ARM_LPAE_S2);
	nested = nested_new(parent);
	c.dom = nested;
	c.port = attach_ok(dev, UIOMMU_PASID_NONE, nested);
	space_fill(&c.rnd, &s2, parent, true, buf, NULL);
	space_fill(&c.rnd, &s1, nested, false, buf, &s2);
	probe_all(&c, true);
	space_unmap_some(&c.rnd, &s2, parent);
	probe_all(&c, false);
	rte_free(buf);
}

/* ------------------------------------------------------------- evtq -- */

TestSuite(evtq, .init = suite_init, .fini = suite_fini, .timeout = 120);

/* evtq=2: a queue of 4 records. */
#define EVTQ_ENTRIES	4u
#define FAULT_IOVA(i)	(IOVA_BASE + (uint64_t)(i) * SZ_4K)

/* A device on an empty stage-1 domain: every access is F_TRANSLATION. */
static void
evtq_setup(void)
{
	struct uiommu_dev *dev;

	hw_up("evtq=2");
	cr_assert_eq(drv->evtq.log2size, 2);
	dev = dev_new(SID_A, 0, false);
	attach_ok(dev, UIOMMU_PASID_NONE, domain_new(UIOMMU_IOPT_ARM_LPAE_S1));
	drain();
}

static void
fault_at(unsigned int i)
{
	struct uiommu_walk_result res;

	smmu_model_translate(drv->model, SID_A, UIOMMU_PASID_NONE,
			     FAULT_IOVA(i), UIOMMU_ACCESS_READ, &res);
	cr_assert_eq(res.reason, UIOMMU_FAULT_TRANSLATION);
}

/* Read exactly @n records and check they are faults @first.. in order. */
static void
events_expect(unsigned int first, unsigned int n, unsigned int batch)
{
	struct uiommu_smmu_event ev[EVTQ_ENTRIES];
	unsigned int got = 0, k;
	int rc;

	while (got < n) {
		rc = uiommu_smmu_sim_event_read(hw, ev, RTE_MIN(batch,
								n - got));
		cr_assert_gt(rc, 0, "fault %u: queue empty (rc %d)", first + got,
			     rc);
		for (k = 0; k < (unsigned int)rc; k++, got++) {
			cr_assert_eq(ev[k].id, EVT_ID_F_TRANSLATION);
			cr_assert_eq(ev[k].sid, SID_A);
			cr_assert_eq(ev[k].addr, FAULT_IOVA(first + got),
				     "record %u: addr %#" PRIx64 ", want %#"
				     PRIx64, first + got, ev[k].addr,
				     FAULT_IOVA(first + got));
		}
	}
	cr_assert_eq(uiommu_smmu_sim_event_read(hw, ev, RTE_DIM(ev)), 0,
		     "records beyond the %u expected", first + n);
}

/* 120 records through 4 slots, 1 to 3 at a time, read in batches of 2. */
Test(evtq, records_wrap_many_times_in_order)
{
	struct uiommu_smmu_sim_stats st;
	unsigned int i = 0, burst, k;

	evtq_setup();
	while (i < 120) {
		burst = 1 + i % 3;
		for (k = 0; k < burst; k++)
			fault_at(i + k);
		events_expect(i, burst, 2);
		i += burst;
	}
	st = sim_stats();
	cr_assert_eq(st.hw_events, 120, "hw_events %" PRIu64, st.hw_events);
	cr_assert_eq(st.hw_events_lost, 0, "lost %" PRIu64, st.hw_events_lost);
	cr_assert_eq(st.events_read, 120, "read %" PRIu64, st.events_read);
	cr_assert_eq(st.evtq_overflows, 0);
}

/* The queue fills (all 4 slots: PROD and CONS differ by the wrap bit),
 * the rest are lost and flagged once; reading acknowledges the overflow,
 * and later records arrive again. */
Test(evtq, overflow_keeps_oldest_records_and_counts_lost)
{
	struct uiommu_smmu_sim_stats st;
	unsigned int i;

	evtq_setup();
	for (i = 0; i < 10; i++)
		fault_at(i);
	st = sim_stats();
	cr_assert_eq(st.hw_events, EVTQ_ENTRIES, "hw_events %" PRIu64,
		     st.hw_events);
	cr_assert_eq(st.hw_events_lost, 10 - EVTQ_ENTRIES, "lost %" PRIu64,
		     st.hw_events_lost);
	cr_assert_eq(st.evtq_overflows, 0, "not acknowledged yet");
	events_expect(0, EVTQ_ENTRIES, EVTQ_ENTRIES);
	st = sim_stats();
	cr_assert_eq(st.evtq_overflows, 1, "overflows %" PRIu64,
		     st.evtq_overflows);
	fault_at(10);
	fault_at(11);
	events_expect(10, 2, EVTQ_ENTRIES);
	st = sim_stats();
	cr_assert_eq(st.evtq_overflows, 1, "one overflow, acknowledged once");
	cr_assert_eq(st.hw_events, EVTQ_ENTRIES + 2);
	cr_assert_eq(st.hw_events_lost, 10 - EVTQ_ENTRIES);
}

Test(evtq, second_overflow_is_acknowledged_again)
{
	struct uiommu_smmu_sim_stats st;
	unsigned int i;

	evtq_setup();
	for (i = 0; i < 6; i++)
		fault_at(i);
	events_expect(0, EVTQ_ENTRIES, 1);
	for (i = 6; i < 16; i++)
		fault_at(i);
	events_expect(6, EVTQ_ENTRIES, 3);
	st = sim_stats();
	cr_assert_eq(st.evtq_overflows, 2, "overflows %" PRIu64,
		     st.evtq_overflows);
	cr_assert_eq(st.hw_events_lost, 2 + 6, "lost %" PRIu64,
		     st.hw_events_lost);
}

/* ------------------------------------------------------------- gbpa -- */

/*
 * SMMUEN clear: the stream table is not used; GBPA decides. The tests clear
 * SMMUEN behind the driver's back and set it again before they end (which
 * latches the stream table again).
 */
TestSuite(gbpa, .init = suite_init, .fini = suite_fini, .timeout = 120);

static void
smmuen_set(bool on)
{
	uint32_t cr0 = smmu_model_read32(drv->model, SMMU_CR0);

	cr0 = on ? cr0 | 1u : cr0 & ~1u;	/* SMMUEN [0] */
	smmu_model_write32(drv->model, SMMU_CR0, cr0);
	cr_assert_eq(smmu_model_read32(drv->model, SMMU_CR0ACK), cr0);
}

/* The device's RID maps IOVA_BASE to a page: what SMMUEN would use. */
static void *
gbpa_setup(void)
{
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	void *page;

	hw_up(NULL);
	s1_rid_setup(&dev, &dom, 0, &page);
	drain();
	return page;
}

Test(gbpa, abort_with_smmu_disabled_blocks_without_event)
{
	struct uiommu_smmu_sim_stats st0, st1;
	struct uiommu_walk_result unknown;
	void *page = gbpa_setup();
	struct attempt known;
	uint32_t gbpa;

	st0 = sim_stats();
	smmuen_set(false);
	smmu_model_write32(drv->model, SMMU_GBPA, 1u << 31 | 1u << 20);
	gbpa = smmu_model_read32(drv->model, SMMU_GBPA);
	known = sid_try(SID_A, UIOMMU_PASID_NONE, IOVA_BASE,
			UIOMMU_ACCESS_READ);
	/* Unknown StreamIDs too: the stream table is not looked at. */
	memset(&unknown, 0, sizeof(unknown));
	smmu_model_translate(drv->model, 0x1234, UIOMMU_PASID_NONE, IOVA_BASE,
			     UIOMMU_ACCESS_READ, &unknown);
	smmuen_set(true);
	cr_assert_eq(gbpa, 1u << 20, "GBPA %#x: ABORT [20] set, UPDATE [31] "
		     "self-clearing", gbpa);
	attempt_faulted(&known, UIOMMU_FAULT_BLOCKED, "GBPA.ABORT");
	cr_assert_eq(unknown.reason, UIOMMU_FAULT_BLOCKED, "unknown SID: %s",
		     uiommu_fault_reason_str(unknown.reason));
	expect_no_event("GBPA.ABORT");
	st1 = sim_stats();
	cr_assert_eq(st1.hw_events_lost, st0.hw_events_lost);
	cr_assert_eq(st1.hw_events, st0.hw_events);
	sid_ok(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ,
	       (uintptr_t)page, "SMMUEN set again");
}

Test(gbpa, bypass_with_smmu_disabled_is_identity)
{
	const uint64_t iova = 0x123456789abcull;
	struct uiommu_walk_result res;
	void *page = gbpa_setup();
	struct attempt a;
	uint32_t gbpa;

	smmuen_set(false);
	smmu_model_write32(drv->model, SMMU_GBPA, 1u << 31);
	gbpa = smmu_model_read32(drv->model, SMMU_GBPA);
	memset(&res, 0xff, sizeof(res));
	smmu_model_translate(drv->model, SID_A, UIOMMU_PASID_NONE, iova,
			     UIOMMU_ACCESS_WRITE, &res);
	a = sid_try(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ);
	smmuen_set(true);
	cr_assert_eq(gbpa, 0, "GBPA %#x", gbpa);
	cr_assert_eq(res.reason, UIOMMU_FAULT_NONE, "reason %s",
		     uiommu_fault_reason_str(res.reason));
	cr_assert_eq(res.out, iova & ~0xfffull, "out %#" PRIx64, res.out);
	cr_assert_eq(res.pgshift, 12);
	cr_assert_eq(res.prot, PROT_RW);
	cr_assert_eq(res.tag, 0, "bypass is never cached");
	attempt_ok(&a, IOVA_BASE, "bypass ignores the STE");
	expect_no_event("GBPA bypass");
	sid_ok(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ,
	       (uintptr_t)page, "SMMUEN set again");
}

/* A GBPA write without UPDATE [31] changes nothing. */
Test(gbpa, write_without_update_is_ignored)
{
	uint32_t reset, after;
	struct attempt a;

	gbpa_setup();
	reset = smmu_model_read32(drv->model, SMMU_GBPA);
	smmuen_set(false);
	smmu_model_write32(drv->model, SMMU_GBPA, 0);
	after = smmu_model_read32(drv->model, SMMU_GBPA);
	a = sid_try(SID_A, UIOMMU_PASID_NONE, IOVA_BASE, UIOMMU_ACCESS_READ);
	smmuen_set(true);
	cr_assert_eq(reset, 1u << 20, "reset value %#x: ABORT", reset);
	cr_assert_eq(after, 1u << 20, "GBPA %#x after a write of 0", after);
	attempt_faulted(&a, UIOMMU_FAULT_BLOCKED, "GBPA without UPDATE");
}

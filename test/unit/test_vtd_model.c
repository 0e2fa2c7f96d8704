/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated Intel VT-d's device model (drivers/vtd_sim/model_*.c),
 * driven directly: every root, context, PASID directory and PASID table
 * entry, page table, invalidation descriptor and IRTE here is built in test
 * memory from literal bit positions of the VT-d specification (rev. 3.x/4.x),
 * not with vtd_arch.h's macros, so a wrong shared macro cannot agree with
 * itself. The register file is reached at literal offsets likewise.
 *
 * - encoding: vtd_arch.h's field masks and register offsets against the
 *   spec; entries and descriptors built with the macros (as the driver
 *   does) against hand-computed words; the fault record encoder; the
 *   descriptor checker.
 * - decode: the walker on literal structures of every translation type
 *   (legacy multi-level and pass-through, scalable first level, second
 *   level, nested, pass-through), superpages, root-entry halves.
 * - faults: every fault reason the walker and the interrupt remapper
 *   produce, table-driven, each checked in FRCD 0 field by field.
 * - frcd: recording overflow (PFO), FRI, F write-1-to-clear, the index
 *   reset, FPD in every entry that has it.
 * - qi: the IQE path and its IQEI codes, restart, wait descriptors.
 * - iotlb: the model's QI against the IOTLB its walks filled (through a
 *   minimal backend registered here whose translate is the model's walk).
 * - ir: interrupt remapping: IRTE decode, the interrupt entry cache and
 *   its invalidation, source-id validation, compatibility format.
 *
 * Every test runs in its own process (criterion) with its own EAL; each
 * builds the model(s) it needs.
 * Every suite has the same .timeout: with suites of different timeouts,
 * criterion 2.4's runner leaks a 48-byte allocation in parallel runs
 * (LeakSanitizer then fails the binary at random).
 *
 * Fault reasons the model never produces (and so are not tested here),
 * with why: 0x0D (LCT.5), 0x44 (SCT.5): translation requests (ATS) are not
 * modelled; 0x32 (RTA.3), 0x47 (SCT.8): page requests are not modelled;
 * 0x43 (SCT.4): the model has no invalid-programming check on a
 * scalable-mode context entry beyond its reserved fields; 0x5C, 0x5D
 * (SPT.5/6), 0x82 (SGN.3): execute and supervisor requests are not
 * modelled; 0x73..0x77 (SFL.4..8): first-level table pointers are host
 * VAs, not translated by the second level in nested mode; 0x7B, 0x7C,
 * 0x84, 0x87, 0x90: not checked by the walker; 0x27: no posted interrupts.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <uiommu.h>
#include <uiommu_driver.h>

#include "vtd_model.h"
#include "uiommu_test.h"

/* ------------------------------------------------- literal encodings -- */

#define B(n)		(UINT64_C(1) << (n))
#define ADDR_51_12	UINT64_C(0x000ffffffffff000)	/* bits [51:12] */
/* Below every EAL memseg list: the model may fetch nothing there. */
#define BAD_ADDR	UINT64_C(0x1000)

/* Register offsets (spec 10.4 / 11.4). */
#define R_VER		0x000
#define R_CAP		0x008
#define R_ECAP		0x010
#define R_GCMD		0x018
#define R_GSTS		0x01c
#define R_RTADDR	0x020
#define R_FSTS		0x034
#define R_FECTL		0x038
#define R_IQH		0x080
#define R_IQT		0x088
#define R_IQA		0x090
#define R_ICS		0x09c
#define R_IECTL		0x0a0
#define R_IQERCD	0x0b0
#define R_IRTA		0x0b8

/* GCMD / GSTS bits. */
#define G_TE		(1u << 31)
#define G_SRTP		(1u << 30)
#define G_QIE		(1u << 26)
#define G_IRE		(1u << 25)
#define G_SIRTP		(1u << 24)
#define G_CFI		(1u << 23)
/* Persistent GCMD bits: TE, EAFL, QIE, IRE, CFI. */
#define G_PERSIST	((1u << 31) | (1u << 28) | (1u << 26) | (1u << 25) | \
			 (1u << 23))

/* FSTS bits. */
#define FS_PFO		(1u << 0)
#define FS_PPF		(1u << 1)
#define FS_IQE		(1u << 4)

/* Bits [hi:lo] of @w: this file's decoder, independent of FIELD_GET. */
static inline uint64_t
bits(uint64_t w, unsigned int hi, unsigned int lo)
{
	return (w >> lo) & (~UINT64_C(0) >> (63 - (hi - lo)));
}

static inline uint64_t
pa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* The 9-bit table index of @in at paging level @lvl (1: 4 KiB PTE). */
static inline unsigned int
idx(uint64_t in, unsigned int lvl)
{
	return (unsigned int)bits(in, 12 + 9 * lvl - 1, 12 + 9 * (lvl - 1));
}

/* Descriptor word 0 type: {[11:9], [3:0]} (spec 6.5.2). */
static inline uint64_t
d_type(unsigned int t)
{
	return (t & 0xf) | (uint64_t)(t >> 4) << 9;
}

static inline uint64_t
d_cc(unsigned int g, uint16_t did, uint16_t sid, unsigned int fm)
{
	return 0x1 | (uint64_t)g << 4 | (uint64_t)did << 16 |
	       (uint64_t)sid << 32 | (uint64_t)fm << 48;
}

static inline uint64_t
d_iotlb(unsigned int g, uint16_t did)
{
	return 0x2 | (uint64_t)g << 4 | (uint64_t)did << 16;
}

/* Word 1 of (PASID-based) IOTLB invalidations: ADDR [127:76], IH [70],
 * AM [69:64]. */
static inline uint64_t
d_addr(uint64_t addr, unsigned int am, unsigned int ih)
{
	return addr | (uint64_t)ih << 6 | am;
}

static inline uint64_t
d_devtlb(uint16_t sid, unsigned int mip, uint16_t pfsid)
{
	return 0x3 | (uint64_t)(pfsid & 0xf) << 12 | (uint64_t)mip << 16 |
	       (uint64_t)sid << 32 | (uint64_t)(pfsid >> 4) << 52;
}

static inline uint64_t
d_iec(bool index_sel, unsigned int im, uint16_t index)
{
	return 0x4 | (uint64_t)index_sel << 4 | (uint64_t)im << 27 |
	       (uint64_t)index << 32;
}

static inline uint64_t
d_wait(bool intr, bool sw, bool fn, uint32_t data)
{
	return 0x5 | (uint64_t)intr << 4 | (uint64_t)sw << 5 |
	       (uint64_t)fn << 6 | (uint64_t)data << 32;
}

static inline uint64_t
d_piotlb(unsigned int g, uint16_t did, uint32_t pasid)
{
	return 0x6 | (uint64_t)g << 4 | (uint64_t)did << 16 |
	       (uint64_t)pasid << 32;
}

static inline uint64_t
d_pc(unsigned int g, uint16_t did, uint32_t pasid)
{
	return 0x7 | (uint64_t)g << 4 | (uint64_t)did << 16 |
	       (uint64_t)pasid << 32;
}

static inline uint64_t
d_pdevtlb(uint16_t sid, uint32_t pasid, unsigned int mip, uint16_t pfsid)
{
	return 0x8 | (uint64_t)mip << 4 | (uint64_t)(pfsid & 0xf) << 12 |
	       (uint64_t)sid << 16 | (uint64_t)pasid << 32 |
	       (uint64_t)(pfsid >> 4) << 52;
}

/* --------------------------------------------------------- the world -- */

#define BUS		0x12u
#define DEVFN		0x34u
#define DEVFN_UP	0xb4u		/* upper half of a scalable root */
#define SID		((BUS << 8) | DEVFN)		/* 0x1234 */
#define SID_UP		((BUS << 8) | DEVFN_UP)		/* 0x12b4 */
#define PASID_A		0x45u		/* PASID dir entry 1, table entry 5 */
#define DID_RID		0x0123u		/* the RID_PASID (0) entry's DID */
#define DID_A		0x0456u		/* PASID_A's DID; legacy DID */
#define IOVA		UINT64_C(0x0000004040203000)	/* < 2^39 */
#define OUT		UINT64_C(0x0000000076543000)
#define GPA		UINT64_C(0x0000000123456000)	/* nested: FL output */
#define NOPASID		UIOMMU_PASID_NONE

enum wmode {
	W_LEG4,		/* legacy, AW 2 (4-level) second level */
	W_LEG3,		/* legacy, AW 1 (3-level) */
	W_LEG_NOSM,	/* legacy tables, model without scalable mode */
	W_SM_SL,	/* scalable, PGTT second level, AW 2 */
	W_SM_FL,	/* scalable, PGTT first level */
	W_SM_NEST,	/* scalable, PGTT nested */
	W_SM_PT,	/* scalable, PGTT pass-through */
};

struct world {
	struct vtd_model *m;
	enum wmode mode;
	bool scalable;
	uint64_t *root;		/* root table */
	uint64_t *ctx;		/* legacy / lower scalable context table */
	uint64_t *ctx_up;	/* upper scalable context table */
	uint64_t *pdir;		/* PASID directory */
	uint64_t *ptbl[2];	/* PASID tables of directory entries 0, 1 */
	uint64_t *sl[4];	/* second-level path, [0] = top */
	uint64_t *fl[4];	/* first-level path, [0] = PML4 */
	unsigned int sl_levels;
	uint64_t sl_in;		/* what the second level translates */
	uint64_t *iq;		/* invalidation queue (one page) */
	uint32_t iq_tail;
	unsigned int dsz;	/* descriptor bytes: 16 or 32 */
	uint64_t *irt;		/* interrupt remapping table (one page) */
	uint32_t *status;	/* wait status words */
};

static void
suite_init(void)
{
	test_eal_init("test_vtd_model");
}

/* Criterion 2.4 ignores failures in .fini: check nothing here. */
static void
suite_fini(void)
{
	test_eal_cleanup();
}

static uint64_t *
page_new(void)
{
	uint64_t *p = rte_zmalloc("test_vtd_page", SZ_4K, SZ_4K);

	cr_assert_not_null(p);
	return p;
}

static uint32_t
rd32(struct world *w, uint32_t off)
{
	return vtd_model_read32(w->m, off);
}

static uint64_t
rd64(struct world *w, uint32_t off)
{
	return vtd_model_read64(w->m, off);
}

/* GCMD: keep the persistent enables that are on, set @set, clear @clr. */
static void
gcmd(struct world *w, uint32_t set, uint32_t clr)
{
	uint32_t gsts = rd32(w, R_GSTS);

	vtd_model_write32(w->m, R_GCMD, ((gsts & G_PERSIST) & ~clr) | set);
}

static void
rtaddr_set(struct world *w, uint64_t rtaddr)
{
	vtd_model_write64(w->m, R_RTADDR, rtaddr);
	gcmd(w, G_SRTP, 0);
	cr_assert(rd32(w, R_GSTS) & G_SRTP, "GSTS.RTPS after SRTP");
}

static struct vtd_model *
model_new(bool scalable, uint16_t nfr, uint8_t pasid_bits)
{
	struct vtd_model_cfg cfg = {
		.nfr = nfr, .scalable = scalable, .pasid_bits = pasid_bits,
	};
	struct vtd_model *m = vtd_model_create(NULL, &cfg, SOCKET_ID_ANY);

	cr_assert_not_null(m, "vtd_model_create: rte_errno %d", rte_errno);
	return m;
}

/* The second-level path for @in: @levels tables, R+W non-leaf entries. */
static void
sl_build(struct world *w, unsigned int levels, uint64_t in, uint64_t out)
{
	unsigned int i;

	w->sl_levels = levels;
	w->sl_in = in;
	for (i = 0; i < levels; i++) {
		uint64_t *e = &w->sl[i][idx(in, levels - i)];

		*e = i + 1 < levels ? pa(w->sl[i + 1]) | 0x3 : out | 0x3;
	}
}

/* Entry @i (0: top) of the second-level path. */
static uint64_t *
sl_entry(struct world *w, unsigned int i)
{
	return &w->sl[i][idx(w->sl_in, w->sl_levels - i)];
}

/* The 4-level first-level path for IOVA: P | R/W | U/S everywhere. */
static void
fl_build(struct world *w, uint64_t out)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		uint64_t *e = &w->fl[i][idx(IOVA, 4 - i)];

		*e = i + 1 < 4 ? pa(w->fl[i + 1]) | 0x7 : out | 0x7;
	}
}

static uint64_t *
fl_entry(struct world *w, unsigned int i)
{
	return &w->fl[i][idx(IOVA, 4 - i)];
}

/* The context entry of @sid (2 words legacy, 4 scalable). */
static uint64_t *
ctx_entry(struct world *w, uint16_t sid)
{
	unsigned int devfn = sid & 0xff;

	if (!w->scalable)
		return &w->ctx[devfn * 2];
	return &(devfn >= 128 ? w->ctx_up : w->ctx)[(devfn & 127) * 4];
}

static uint64_t *
pasid_entry(struct world *w, uint32_t pasid)
{
	return &w->ptbl[pasid >> 6][(pasid & 63) * 8];
}

/* A PASID table entry of PGTT @pgtt, DID @did (spec 9.6). */
static void
pasid_entry_set(struct world *w, uint32_t pasid, unsigned int pgtt,
		uint16_t did)
{
	uint64_t *pe = pasid_entry(w, pasid);

	memset(pe, 0, 64);
	pe[0] = (uint64_t)pgtt << 6 | 0x1;			/* PGTT, P */
	if (pgtt == 2 || pgtt == 3)
		pe[0] |= pa(w->sl[0]) | 2u << 2;	/* SLPTPTR, AW 2 */
	pe[1] = did;					/* DID [79:64] */
	if (pgtt == 1 || pgtt == 3)
		pe[2] = pa(w->fl[0]);		/* FLPTR [191:140], FLPM 0 */
}

static unsigned int
mode_pgtt(enum wmode mode)
{
	switch (mode) {
	case W_SM_FL:
		return 1;
	case W_SM_NEST:
		return 3;
	case W_SM_PT:
		return 4;
	default:
		return 2;
	}
}

/*
 * A model with translation enabled over a complete set of structures for
 * requester SID (and SID_UP in scalable mode): IOVA -> OUT, read/write.
 */
static void
world_new(struct world *w, enum wmode mode, uint16_t nfr, uint8_t pasid_bits)
{
	unsigned int i;

	memset(w, 0, sizeof(*w));
	w->mode = mode;
	w->scalable = mode >= W_SM_SL;
	w->m = model_new(mode != W_LEG_NOSM, nfr, pasid_bits);
	w->root = page_new();
	w->ctx = page_new();
	w->ctx_up = page_new();
	w->pdir = page_new();
	w->ptbl[0] = page_new();
	w->ptbl[1] = page_new();
	for (i = 0; i < 4; i++) {
		w->sl[i] = page_new();
		w->fl[i] = page_new();
	}
	w->status = (uint32_t *)page_new();

	if (!w->scalable) {
		uint64_t *ce = ctx_entry(w, SID);

		sl_build(w, mode == W_LEG3 ? 3 : 4, IOVA, OUT);
		w->root[BUS * 2] = pa(w->ctx) | 0x1;		/* CTP, P */
		ce[0] = pa(w->sl[0]) | 0x1;		/* SLPTPTR, TT 0, P */
		ce[1] = (uint64_t)DID_A << 8 |		/* DID [87:72] */
			(mode == W_LEG3 ? 1 : 2);		/* AW [66:64] */
		rtaddr_set(w, pa(w->root));			/* TTM 00 */
	} else {
		uint64_t *ce;

		if (mode == W_SM_NEST) {
			fl_build(w, GPA);
			sl_build(w, 4, GPA, OUT);
		} else {
			fl_build(w, OUT);
			sl_build(w, 4, IOVA, OUT);
		}
		w->root[BUS * 2] = pa(w->ctx) | 0x1;		/* LCTP, LP */
		w->root[BUS * 2 + 1] = pa(w->ctx_up) | 0x1;	/* UCTP, UP */
		ce = ctx_entry(w, SID);
		ce[0] = pa(w->pdir) | 0x8 | 0x1;	/* PDTS 0, PASIDE, P */
		ce[1] = 0;				/* RID_PASID 0 */
		memcpy(ctx_entry(w, SID_UP), ce, 32);
		w->pdir[0] = pa(w->ptbl[0]) | 0x1;
		w->pdir[1] = pa(w->ptbl[1]) | 0x1;
		pasid_entry_set(w, 0, mode_pgtt(mode), DID_RID);
		pasid_entry_set(w, PASID_A, mode_pgtt(mode), DID_A);
		rtaddr_set(w, pa(w->root) | 1u << 10);		/* TTM 01 */
	}
	gcmd(w, G_TE, 0);
	cr_assert(rd32(w, R_GSTS) & G_TE, "GSTS.TES");
}

static void
world_free(struct world *w)
{
	unsigned int i;

	vtd_model_destroy(w->m);
	rte_free(w->root);
	rte_free(w->ctx);
	rte_free(w->ctx_up);
	rte_free(w->pdir);
	rte_free(w->ptbl[0]);
	rte_free(w->ptbl[1]);
	for (i = 0; i < 4; i++) {
		rte_free(w->sl[i]);
		rte_free(w->fl[i]);
	}
	rte_free(w->iq);
	rte_free(w->irt);
	rte_free(w->status);
}

static int
xlate(struct world *w, uint16_t sid, uint32_t pasid, uint64_t iova,
      uint32_t access, struct uiommu_walk_result *res)
{
	memset(res, 0, sizeof(*res));
	return vtd_model_translate(w->m, sid, pasid, iova, access, res);
}

static struct vtd_model_stats
stats(struct world *w)
{
	struct vtd_model_stats st;

	vtd_model_stats_get(w->m, &st);
	return st;
}

/* Fault recording register @i, at CAP.FRO * 16 + i * 16. */
static uint32_t
frcd_off(struct world *w, unsigned int i)
{
	return (uint32_t)bits(rd64(w, R_CAP), 33, 24) * 16 + i * 16;
}

static bool
frcd_f(struct world *w, unsigned int i)
{
	return bits(rd64(w, frcd_off(w, i) + 8), 63, 63);
}

static void
frcd_clear(struct world *w, unsigned int i)
{
	vtd_model_write64(w->m, frcd_off(w, i) + 8, B(63));
}

/* FRCD @i holds this fault (spec 11.4.14), every other field zero. */
static void
frcd_expect(struct world *w, unsigned int i, uint16_t sid, uint8_t fr,
	    bool write, uint32_t pasid, uint64_t fi, const char *what)
{
	uint64_t lo = rd64(w, frcd_off(w, i));
	uint64_t hi = rd64(w, frcd_off(w, i) + 8);
	bool pp = pasid != NOPASID;

	cr_assert_eq(bits(hi, 63, 63), 1, "%s: FRCD%u.F clear", what, i);
	cr_assert_eq(bits(hi, 39, 32), fr, "%s: FR %#" PRIx64 ", want %#x",
		     what, bits(hi, 39, 32), fr);
	cr_assert_eq(bits(hi, 15, 0), sid, "%s: SID %#" PRIx64 ", want %#x",
		     what, bits(hi, 15, 0), sid);
	cr_assert_eq(bits(hi, 62, 62), !write, "%s: T1 %" PRIu64 ", want %d",
		     what, bits(hi, 62, 62), !write);
	cr_assert_eq(bits(hi, 31, 31), pp, "%s: PP %" PRIu64 ", want %d",
		     what, bits(hi, 31, 31), pp);
	cr_assert_eq(bits(hi, 59, 40), pp ? pasid : 0, "%s: PV %#" PRIx64
		     ", want %#x", what, bits(hi, 59, 40), pp ? pasid : 0);
	cr_assert_eq(bits(hi, 61, 60), 0, "%s: AT", what);
	/* T2, PRIV, EXE and the reserved [91:80]: an untranslated, user,
	 * non-execute request. */
	cr_assert_eq(bits(hi, 30, 16), 0, "%s: hi[30:16] %#" PRIx64, what,
		     bits(hi, 30, 16));
	cr_assert_eq(lo, fi, "%s: FI word %#" PRIx64 ", want %#" PRIx64,
		     what, lo, fi);
}

static void
fsts_expect(struct world *w, uint32_t want, const char *what)
{
	uint32_t fsts = rd32(w, R_FSTS);

	cr_assert_eq(fsts, want, "%s: FSTS %#x, want %#x", what, fsts, want);
}

/* -------------------------------------------------------- QI helpers -- */

/* Enable QI on a one-page queue (IQA.QS 0) of 128- or 256-bit
 * descriptors. */
static void
qi_on(struct world *w, bool wide)
{
	w->iq = page_new();
	w->dsz = wide ? 32 : 16;
	w->iq_tail = 0;
	vtd_model_write64(w->m, R_IQA, pa(w->iq) | (wide ? B(11) : 0));
	gcmd(w, G_QIE, 0);
	cr_assert(rd32(w, R_GSTS) & G_QIE, "GSTS.QIES");
	cr_assert_eq(rd64(w, R_IQH), 0);
}

/* Write a descriptor at the tail (not yet submitted). */
static void
qi_put4(struct world *w, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	uint64_t *d = &w->iq[w->iq_tail / 8];

	d[0] = w0;
	d[1] = w1;
	if (w->dsz == 32) {
		d[2] = w2;
		d[3] = w3;
	}
	w->iq_tail = (w->iq_tail + w->dsz) % SZ_4K;
}

static void
qi_put(struct world *w, uint64_t w0, uint64_t w1)
{
	qi_put4(w, w0, w1, 0, 0);
}

static void
qi_kick(struct world *w)
{
	vtd_model_write64(w->m, R_IQT, w->iq_tail);
}

static void
qi_submit(struct world *w, uint64_t w0, uint64_t w1)
{
	qi_put(w, w0, w1);
	qi_kick(w);
}

/* Submit a wait that writes @data to status word @slot; return whether it
 * did. */
static bool
qi_wait(struct world *w, unsigned int slot, uint32_t data)
{
	w->status[slot] = 0;
	qi_submit(w, d_wait(false, true, false, data), pa(&w->status[slot]));
	return __atomic_load_n(&w->status[slot], __ATOMIC_ACQUIRE) == data;
}

static void
qi_ok(struct world *w, const char *what)
{
	cr_assert_eq(rd32(w, R_FSTS) & FS_IQE, 0, "%s: IQE (IQEI %" PRIu64
		     ")", what, bits(rd64(w, R_IQERCD), 3, 0));
	cr_assert_eq(rd64(w, R_IQH), w->iq_tail, "%s: IQH %#" PRIx64
		     ", IQT %#x", what, rd64(w, R_IQH), w->iq_tail);
}

/* ======================================================== encoding ===== */

TestSuite(encoding, .init = suite_init, .fini = suite_fini, .timeout = 30);

struct mask_row {
	const char *name;
	uint64_t got, want;
};

#define ROW(macro, literal)	{ #macro, (uint64_t)(macro), (literal) }

static void
rows_check(const struct mask_row *rows, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		cr_expect_eq(rows[i].got, rows[i].want, "%s = %#" PRIx64
			     ", spec %#" PRIx64, rows[i].name, rows[i].got,
			     rows[i].want);
}

Test(encoding, register_offsets_match_spec)
{
	static const struct mask_row rows[] = {
		ROW(DMAR_VER_REG, 0x000), ROW(DMAR_CAP_REG, 0x008),
		ROW(DMAR_ECAP_REG, 0x010), ROW(DMAR_GCMD_REG, 0x018),
		ROW(DMAR_GSTS_REG, 0x01c), ROW(DMAR_RTADDR_REG, 0x020),
		ROW(DMAR_CCMD_REG, 0x028), ROW(DMAR_FSTS_REG, 0x034),
		ROW(DMAR_FECTL_REG, 0x038), ROW(DMAR_FEDATA_REG, 0x03c),
		ROW(DMAR_FEADDR_REG, 0x040), ROW(DMAR_FEUADDR_REG, 0x044),
		ROW(DMAR_AFLOG_REG, 0x058), ROW(DMAR_PMEN_REG, 0x064),
		ROW(DMAR_PLMBASE_REG, 0x068), ROW(DMAR_PLMLIMIT_REG, 0x06c),
		ROW(DMAR_PHMBASE_REG, 0x070), ROW(DMAR_PHMLIMIT_REG, 0x078),
		ROW(DMAR_IQH_REG, 0x080), ROW(DMAR_IQT_REG, 0x088),
		ROW(DMAR_IQA_REG, 0x090), ROW(DMAR_ICS_REG, 0x09c),
		ROW(DMAR_IECTL_REG, 0x0a0), ROW(DMAR_IEDATA_REG, 0x0a4),
		ROW(DMAR_IEADDR_REG, 0x0a8), ROW(DMAR_IEUADDR_REG, 0x0ac),
		ROW(DMAR_IQERCD_REG, 0x0b0), ROW(DMAR_IRTA_REG, 0x0b8),
		ROW(DMAR_PQH_REG, 0x0c0), ROW(DMAR_PQT_REG, 0x0c8),
		ROW(DMAR_PQA_REG, 0x0d0), ROW(DMAR_PRS_REG, 0x0dc),
		ROW(DMAR_PECTL_REG, 0x0e0), ROW(DMAR_MTRRCAP_REG, 0x100),
		ROW(DMAR_MTRRDEF_REG, 0x108), ROW(DMAR_FRCD_LEN, 16),
	};

	rows_check(rows, RTE_DIM(rows));
}

Test(encoding, register_fields_match_spec)
{
	static const struct mask_row rows[] = {
		/* CAP_REG */
		ROW(CAP_ND, 0x7), ROW(CAP_AFL, B(3)), ROW(CAP_RWBF, B(4)),
		ROW(CAP_PLMR, B(5)), ROW(CAP_PHMR, B(6)), ROW(CAP_CM, B(7)),
		ROW(CAP_SAGAW, 0x1f00), ROW(CAP_MGAW, 0x3f0000),
		ROW(CAP_ZLR, B(22)), ROW(CAP_FRO, 0x3ff000000ull),
		ROW(CAP_SLLPS, 0x3c00000000ull), ROW(CAP_PSI, B(39)),
		ROW(CAP_NFR, 0xff0000000000ull),
		ROW(CAP_MAMV, 0x3f000000000000ull), ROW(CAP_DWD, B(54)),
		ROW(CAP_DRD, B(55)), ROW(CAP_FL1GP, B(56)), ROW(CAP_PI, B(59)),
		ROW(CAP_FL5LP, B(60)), ROW(CAP_ESIRTPS, B(62)),
		ROW(CAP_ESRTPS, B(63)),
		ROW(SAGAW_39_3LVL, 0x2), ROW(SAGAW_48_4LVL, 0x4),
		ROW(SAGAW_57_5LVL, 0x8), ROW(SLLPS_2M, 1), ROW(SLLPS_1G, 2),
		/* ECAP_REG */
		ROW(ECAP_C, B(0)), ROW(ECAP_QI, B(1)), ROW(ECAP_DT, B(2)),
		ROW(ECAP_IR, B(3)), ROW(ECAP_EIM, B(4)), ROW(ECAP_PT, B(6)),
		ROW(ECAP_SC, B(7)), ROW(ECAP_IRO, 0x3ff00),
		ROW(ECAP_MHMV, 0xf00000), ROW(ECAP_MTS, B(25)),
		ROW(ECAP_NEST, B(26)), ROW(ECAP_PRS, B(29)),
		ROW(ECAP_ERS, B(30)), ROW(ECAP_SRS, B(31)),
		ROW(ECAP_NWFS, B(33)), ROW(ECAP_EAFS, B(34)),
		ROW(ECAP_PSS, 0xf800000000ull), ROW(ECAP_PASID, B(40)),
		ROW(ECAP_DIT, B(41)), ROW(ECAP_PDS, B(42)),
		ROW(ECAP_SMTS, B(43)), ROW(ECAP_VCS, B(44)),
		ROW(ECAP_SLADS, B(45)), ROW(ECAP_SLTS, B(46)),
		ROW(ECAP_FLTS, B(47)), ROW(ECAP_SMPWCS, B(48)),
		ROW(ECAP_RPS, B(49)), ROW(ECAP_ADMS, B(52)),
		ROW(ECAP_RPRIVS, B(53)),
		/* GCMD / GSTS */
		ROW(GCMD_CFI, B(23)), ROW(GCMD_SIRTP, B(24)),
		ROW(GCMD_IRE, B(25)), ROW(GCMD_QIE, B(26)),
		ROW(GCMD_WBF, B(27)), ROW(GCMD_EAFL, B(28)),
		ROW(GCMD_SFL, B(29)), ROW(GCMD_SRTP, B(30)),
		ROW(GCMD_TE, B(31)), ROW(GSTS_CFIS, B(23)),
		ROW(GSTS_IRTPS, B(24)), ROW(GSTS_IRES, B(25)),
		ROW(GSTS_QIES, B(26)), ROW(GSTS_WBFS, B(27)),
		ROW(GSTS_AFLS, B(28)), ROW(GSTS_FLS, B(29)),
		ROW(GSTS_RTPS, B(30)), ROW(GSTS_TES, B(31)),
		/* RTADDR, FSTS, FECTL */
		ROW(RTADDR_TTM, 0xc00), ROW(RTADDR_RTA, ~0xfffull),
		ROW(FSTS_PFO, B(0)), ROW(FSTS_PPF, B(1)), ROW(FSTS_AFO, B(2)),
		ROW(FSTS_APF, B(3)), ROW(FSTS_IQE, B(4)), ROW(FSTS_ICE, B(5)),
		ROW(FSTS_ITE, B(6)), ROW(FSTS_FRI, 0xff00),
		ROW(EVTCTL_IP, B(30)), ROW(EVTCTL_IM, B(31)),
		/* FRCD: word 0 [63:0], word 1 [127:64] */
		ROW(FRCD_LO_FI, ~0xfffull),
		ROW(FRCD_LO_FI_IR_INDEX, 0xffff000000000000ull),
		ROW(FRCD_HI_SID, 0xffff), ROW(FRCD_HI_T2, B(92 - 64)),
		ROW(FRCD_HI_PRIV, B(93 - 64)), ROW(FRCD_HI_EXE, B(94 - 64)),
		ROW(FRCD_HI_PP, B(95 - 64)), ROW(FRCD_HI_FR, 0xff00000000ull),
		ROW(FRCD_HI_PV, 0x0fffff0000000000ull),
		ROW(FRCD_HI_AT, 0x3000000000000000ull),
		ROW(FRCD_HI_T1, B(126 - 64)), ROW(FRCD_HI_F, B(127 - 64)),
		/* Invalidation queue */
		ROW(IQH_QH, 0x7fff0), ROW(IQT_QT, 0x7fff0), ROW(IQA_QS, 0x7),
		ROW(IQA_DW, B(11)), ROW(IQA_IQA, ~0xfffull),
		ROW(ICS_IWC, B(0)), ROW(IQERCD_IQEI, 0xf),
		ROW(IQERCD_ITESID, 0xffff00000000ull),
		ROW(IQERCD_ICESID, 0xffff000000000000ull),
		/* IRTA */
		ROW(IRTA_S, 0xf), ROW(IRTA_EIME, B(11)),
		ROW(IRTA_IRTA, ~0xfffull),
	};

	rows_check(rows, RTE_DIM(rows));
}

Test(encoding, table_entry_fields_match_spec)
{
	static const struct mask_row rows[] = {
		/* legacy root entry (9.1) */
		ROW(ROOT_LO_P, B(0)), ROW(ROOT_LO_RSVD, 0xffe),
		ROW(ROOT_LO_CTP, ~0xfffull),
		/* legacy context entry (9.3) */
		ROW(CTX_LO_P, B(0)), ROW(CTX_LO_FPD, B(1)),
		ROW(CTX_LO_TT, 0xc), ROW(CTX_LO_RSVD, 0xff0),
		ROW(CTX_LO_SLPTPTR, ~0xfffull), ROW(CTX_HI_AW, 0x7),
		ROW(CTX_HI_AVAIL, 0x78),
		ROW(CTX_HI_RSVD, 0xffffffffff000080ull),
		ROW(CTX_HI_DID, 0xffff00), ROW(CTX_TT_PASS_THROUGH, 2),
		ROW(AW_39BIT, 1), ROW(AW_48BIT, 2), ROW(AW_57BIT, 3),
		/* scalable-mode root entry (9.2) */
		ROW(SM_ROOT_LO_LP, B(0)), ROW(SM_ROOT_LO_RSVD, 0xffe),
		ROW(SM_ROOT_LO_LCTP, ~0xfffull), ROW(SM_ROOT_HI_UP, B(0)),
		ROW(SM_ROOT_HI_RSVD, 0xffe), ROW(SM_ROOT_HI_UCTP, ~0xfffull),
		/* scalable-mode context entry (9.4) */
		ROW(SM_CTX_0_P, B(0)), ROW(SM_CTX_0_FPD, B(1)),
		ROW(SM_CTX_0_DTE, B(2)), ROW(SM_CTX_0_PASIDE, B(3)),
		ROW(SM_CTX_0_PRE, B(4)), ROW(SM_CTX_0_RSVD, 0x1e0),
		ROW(SM_CTX_0_PDTS, 0xe00), ROW(SM_CTX_0_PASIDDIRPTR,
					       ~0xfffull),
		ROW(SM_CTX_1_RID_PASID, 0xfffff), ROW(SM_CTX_1_RID_PRIV, B(20)),
		ROW(SM_CTX_1_RSVD, ~0x1fffffull),
		/* PASID directory entry (9.5) */
		ROW(PASID_DIR_P, B(0)), ROW(PASID_DIR_FPD, B(1)),
		ROW(PASID_DIR_RSVD, 0xffc), ROW(PASID_DIR_SMPTBLPTR,
						~0xfffull),
		ROW(PASID_DIR_SHIFT, 6), ROW(PASID_TBL_ENTRIES, 64),
		/* PASID table entry (9.6) */
		ROW(PASID_0_P, B(0)), ROW(PASID_0_FPD, B(1)),
		ROW(PASID_0_AW, 0x1c), ROW(PASID_0_SLEE, B(5)),
		ROW(PASID_0_PGTT, 0x1c0), ROW(PASID_0_SLADE, B(9)),
		ROW(PASID_0_RSVD, 0xc00), ROW(PASID_0_SLPTPTR, ~0xfffull),
		ROW(PASID_1_DID, 0xffff), ROW(PASID_1_RSVD, 0x7f0000),
		ROW(PASID_1_PWSNP, B(87 - 64)), ROW(PASID_1_PGSNP, B(88 - 64)),
		ROW(PASID_1_CD, B(89 - 64)), ROW(PASID_1_EMTE, B(90 - 64)),
		ROW(PASID_1_EMT, 0x38000000), ROW(PASID_1_PWT, B(94 - 64)),
		ROW(PASID_1_PCD, B(95 - 64)),
		ROW(PASID_1_PAT, 0xffffffff00000000ull),
		ROW(PASID_2_SRE, B(128 - 128)), ROW(PASID_2_ERE, B(129 - 128)),
		ROW(PASID_2_FLPM, 0xc), ROW(PASID_2_WPE, B(132 - 128)),
		ROW(PASID_2_NXE, B(133 - 128)), ROW(PASID_2_SMEP, B(134 - 128)),
		ROW(PASID_2_EAFE, B(135 - 128)), ROW(PASID_2_RSVD, 0xf00),
		ROW(PASID_2_FLPTR, ~0xfffull),
		ROW(PGTT_FL, 1), ROW(PGTT_SL, 2), ROW(PGTT_NESTED, 3),
		ROW(PGTT_PT, 4), ROW(FLPM_4LVL, 0), ROW(FLPM_5LVL, 1),
		/* second-level paging entry (9.8) */
		ROW(SL_PTE_R, B(0)), ROW(SL_PTE_W, B(1)), ROW(SL_PTE_X, B(2)),
		ROW(SL_PTE_EMT, 0x38), ROW(SL_PTE_IPAT, B(6)),
		ROW(SL_PTE_PS, B(7)), ROW(SL_PTE_A, B(8)), ROW(SL_PTE_D, B(9)),
		ROW(SL_PTE_SNP, B(11)), ROW(SL_PTE_ADDR, ADDR_51_12),
		ROW(SL_PTE_TM, B(62)),
		/* first-level paging entry (9.7) */
		ROW(FL_PTE_P, B(0)), ROW(FL_PTE_RW, B(1)), ROW(FL_PTE_US, B(2)),
		ROW(FL_PTE_PWT, B(3)), ROW(FL_PTE_PCD, B(4)),
		ROW(FL_PTE_A, B(5)), ROW(FL_PTE_D, B(6)), ROW(FL_PTE_PS, B(7)),
		ROW(FL_PTE_G, B(8)), ROW(FL_PTE_EA, B(10)),
		ROW(FL_PTE_ADDR, ADDR_51_12), ROW(FL_PTE_LARGE_PAT, B(12)),
		ROW(FL_PTE_XD, B(63)),
		/* IRTE, remapped format (9.10) */
		ROW(IRTE_LO_P, B(0)), ROW(IRTE_LO_FPD, B(1)),
		ROW(IRTE_LO_DM, B(2)), ROW(IRTE_LO_RH, B(3)),
		ROW(IRTE_LO_TM, B(4)), ROW(IRTE_LO_DLM, 0xe0),
		ROW(IRTE_LO_AVAIL, 0xf00), ROW(IRTE_LO_RSVD, 0xff007000),
		ROW(IRTE_LO_IM, B(15)), ROW(IRTE_LO_V, 0xff0000),
		ROW(IRTE_LO_DST, 0xffffffff00000000ull),
		ROW(IRTE_LO_DST_XAPIC, 0x0000ff0000000000ull),
		ROW(IRTE_LO_RSVD_XAPIC, 0xffff00ff00000000ull),
		ROW(IRTE_HI_SID, 0xffff), ROW(IRTE_HI_SQ, 0x30000),
		ROW(IRTE_HI_SVT, 0xc0000), ROW(IRTE_HI_RSVD, ~0xfffffull),
		ROW(IRTE_SIZE, 16),
		/* MSI address / data (5.1.2) */
		ROW(MSI_ADDR_BASE, 0xfff00000), ROW(MSI_ADDR_BASE_VALUE, 0xfee),
		ROW(MSI_ADDR_IF, B(4)), ROW(MSI_ADDR_HANDLE_15, B(2)),
		ROW(MSI_ADDR_SHV, B(3)), ROW(MSI_ADDR_HANDLE_LO, 0xfffe0),
		ROW(MSI_DATA_SUBHANDLE, 0xffff),
		ROW(MSI_DATA_RSVD, 0xffff0000), ROW(MSI_ADDR_DM, B(2)),
		ROW(MSI_ADDR_RH, B(3)), ROW(MSI_ADDR_DEST_ID, 0xff000),
		ROW(MSI_DATA_VECTOR, 0xff), ROW(MSI_DATA_DLM, 0x700),
		ROW(MSI_DATA_TM, B(15)),
	};

	rows_check(rows, RTE_DIM(rows));
}

Test(encoding, descriptor_fields_match_spec)
{
	static const struct mask_row rows[] = {
		ROW(QI_TYPE_LO, 0xf), ROW(QI_TYPE_HI, 0xe00),
		ROW(QI_CC_TYPE, 1), ROW(QI_IOTLB_TYPE, 2),
		ROW(QI_DIOTLB_TYPE, 3), ROW(QI_IEC_TYPE, 4),
		ROW(QI_IWD_TYPE, 5), ROW(QI_EIOTLB_TYPE, 6),
		ROW(QI_PC_TYPE, 7), ROW(QI_DEIOTLB_TYPE, 8),
		/* context-cache (6.5.2.1) */
		ROW(QI_CC_G, 0x30), ROW(QI_CC_DID, 0xffff0000),
		ROW(QI_CC_SID, 0xffff00000000ull),
		ROW(QI_CC_FM, 0x3000000000000ull),
		ROW(QI_CC_G_GLOBAL, 1), ROW(QI_CC_G_DOMAIN, 2),
		ROW(QI_CC_G_DEVICE, 3),
		/* IOTLB (6.5.2.3) */
		ROW(QI_IOTLB_G, 0x30), ROW(QI_IOTLB_DW, B(6)),
		ROW(QI_IOTLB_DR, B(7)), ROW(QI_IOTLB_DID, 0xffff0000),
		ROW(QI_IOTLB_AM, 0x3f), ROW(QI_IOTLB_IH, B(70 - 64)),
		ROW(QI_IOTLB_ADDR, ~0xfffull), ROW(QI_IOTLB_G_GLOBAL, 1),
		ROW(QI_IOTLB_G_DSI, 2), ROW(QI_IOTLB_G_PSI, 3),
		/* device-TLB (6.5.2.5) */
		ROW(QI_DEV_IOTLB_PFSID_LO, 0xf000),
		ROW(QI_DEV_IOTLB_MIP, 0x1f0000),
		ROW(QI_DEV_IOTLB_SID, 0xffff00000000ull),
		ROW(QI_DEV_IOTLB_PFSID_HI, 0xfff0000000000000ull),
		ROW(QI_DEV_IOTLB_S, B(0)), ROW(QI_DEV_IOTLB_ADDR, ~0xfffull),
		/* IEC (6.5.2.7) */
		ROW(QI_IEC_G, B(4)), ROW(QI_IEC_IM, 0xf8000000),
		ROW(QI_IEC_IIDX, 0xffff00000000ull),
		/* wait (6.5.2.8) */
		ROW(QI_IWD_IF, B(4)), ROW(QI_IWD_SW, B(5)),
		ROW(QI_IWD_FN, B(6)), ROW(QI_IWD_PD, B(7)),
		ROW(QI_IWD_STATUS_DATA, 0xffffffff00000000ull),
		ROW(QI_IWD_STATUS_ADDR, ~0x3ull),
		/* PASID-based IOTLB (6.5.2.4) */
		ROW(QI_EIOTLB_G, 0x30), ROW(QI_EIOTLB_DID, 0xffff0000),
		ROW(QI_EIOTLB_PASID, 0xfffff00000000ull),
		ROW(QI_EIOTLB_AM, 0x3f), ROW(QI_EIOTLB_IH, B(6)),
		ROW(QI_EIOTLB_ADDR, ~0xfffull), ROW(QI_EIOTLB_G_PASID, 2),
		ROW(QI_EIOTLB_G_PSI, 3),
		/* PASID-cache (6.5.2.2) */
		ROW(QI_PC_G, 0x30), ROW(QI_PC_DID, 0xffff0000),
		ROW(QI_PC_PASID, 0xfffff00000000ull), ROW(QI_PC_G_DOMAIN, 0),
		ROW(QI_PC_G_PASID, 1), ROW(QI_PC_G_GLOBAL, 3),
		/* PASID-based device-TLB (6.5.2.6) */
		ROW(QI_DEV_EIOTLB_MIP, 0x1f0),
		ROW(QI_DEV_EIOTLB_PFSID_LO, 0xf000),
		ROW(QI_DEV_EIOTLB_SID, 0xffff0000),
		ROW(QI_DEV_EIOTLB_PASID, 0xfffff00000000ull),
		ROW(QI_DEV_EIOTLB_PFSID_HI, 0xfff0000000000000ull),
		ROW(QI_DEV_EIOTLB_G, B(0)), ROW(QI_DEV_EIOTLB_S, B(11)),
		ROW(QI_DEV_EIOTLB_ADDR, ~0xfffull),
		/* IQEI codes (11.4.9.9) */
		ROW(IQEI_TAIL_PTR_INVALID, 1), ROW(IQEI_DESC_FETCH_ERROR, 2),
		ROW(IQEI_DESC_TYPE_INVALID, 3), ROW(IQEI_DESC_RSVD_FIELD, 4),
		ROW(IQEI_DESC_WIDTH_INVALID, 5), ROW(IQEI_TAIL_MISALIGNED, 6),
	};

	rows_check(rows, RTE_DIM(rows));
}

/* Entries built with the shared macros, the way the driver builds them,
 * against words computed by hand from the spec's figures. */
Test(encoding, entries_built_with_macros_match_literal_words)
{
	const uint64_t tbl = UINT64_C(0x0000123456789000);
	struct {
		const char *what;
		uint64_t got, want;
	} e[] = {
		{ "root: CTP, P",
		  FIELD_PREP(ROOT_LO_CTP, tbl >> 12) | ROOT_LO_P,
		  0x0000123456789001ull },
		{ "context lo: SLPTPTR, TT 2, FPD, P",
		  FIELD_PREP(CTX_LO_SLPTPTR, tbl >> 12) |
		  FIELD_PREP(CTX_LO_TT, CTX_TT_PASS_THROUGH) | CTX_LO_FPD |
		  CTX_LO_P, 0x000012345678900bull },
		{ "context hi: DID 0xbeef, AW 2",
		  FIELD_PREP(CTX_HI_DID, 0xbeef) | FIELD_PREP(CTX_HI_AW, 2),
		  0x0000000000beef02ull },
		{ "sm root hi: UCTP, UP",
		  FIELD_PREP(SM_ROOT_HI_UCTP, tbl >> 12) | SM_ROOT_HI_UP,
		  0x0000123456789001ull },
		{ "sm context 0: dir, PDTS 5, PRE, PASIDE, DTE, FPD, P",
		  FIELD_PREP(SM_CTX_0_PASIDDIRPTR, tbl >> 12) |
		  FIELD_PREP(SM_CTX_0_PDTS, 5) | SM_CTX_0_PRE |
		  SM_CTX_0_PASIDE | SM_CTX_0_DTE | SM_CTX_0_FPD | SM_CTX_0_P,
		  0x0000123456789a1full },
		{ "sm context 1: RID_PASID 0xabcde",
		  FIELD_PREP(SM_CTX_1_RID_PASID, 0xabcde), 0xabcde },
		{ "PASID dir: table, FPD, P",
		  FIELD_PREP(PASID_DIR_SMPTBLPTR, tbl >> 12) | PASID_DIR_FPD |
		  PASID_DIR_P, 0x0000123456789003ull },
		{ "PASID 0: SLPTPTR, PGTT SL, AW 2, P",
		  FIELD_PREP(PASID_0_SLPTPTR, tbl >> 12) |
		  FIELD_PREP(PASID_0_PGTT, PGTT_SL) |
		  FIELD_PREP(PASID_0_AW, AW_48BIT) | PASID_0_P,
		  0x0000123456789089ull },
		{ "PASID 0: PGTT FL", FIELD_PREP(PASID_0_PGTT, PGTT_FL),
		  0x40 },
		{ "PASID 0: PGTT nested", FIELD_PREP(PASID_0_PGTT,
						      PGTT_NESTED), 0xc0 },
		{ "PASID 0: PGTT PT, FPD", FIELD_PREP(PASID_0_PGTT, PGTT_PT) |
		  PASID_0_FPD, 0x102 },
		{ "PASID 1: DID 0xfedc, PGSNP",
		  FIELD_PREP(PASID_1_DID, 0xfedc) | PASID_1_PGSNP,
		  0x000000000100fedcull },
		{ "PASID 2: FLPTR, FLPM 1, NXE, WPE",
		  FIELD_PREP(PASID_2_FLPTR, tbl >> 12) |
		  FIELD_PREP(PASID_2_FLPM, FLPM_5LVL) | PASID_2_NXE |
		  PASID_2_WPE, 0x0000123456789034ull },
		{ "SL PTE: 2M leaf, SNP, R, W",
		  FIELD_PREP(SL_PTE_ADDR, UINT64_C(0x40000000) >> 12) |
		  SL_PTE_PS | SL_PTE_SNP | SL_PTE_W | SL_PTE_R,
		  0x0000000040000883ull },
		{ "FL PTE: 1G leaf, XD, US, RW, P",
		  FIELD_PREP(FL_PTE_ADDR, UINT64_C(0x80000000) >> 12) |
		  FL_PTE_XD | FL_PTE_PS | FL_PTE_US | FL_PTE_RW | FL_PTE_P,
		  0x8000000080000087ull },
		{ "IRTE lo: DST 0x12345678, V 0x9a, DLM 3, TM, DM, FPD, P",
		  FIELD_PREP(IRTE_LO_DST, 0x12345678) |
		  FIELD_PREP(IRTE_LO_V, 0x9a) | FIELD_PREP(IRTE_LO_DLM, 3) |
		  IRTE_LO_TM | IRTE_LO_DM | IRTE_LO_FPD | IRTE_LO_P,
		  0x12345678009a0077ull },
		{ "IRTE lo: xAPIC DST 0xab",
		  FIELD_PREP(IRTE_LO_DST_XAPIC, 0xab), 0x0000ab0000000000ull },
		{ "IRTE hi: SVT 2, SQ 3, SID 0x1f20",
		  FIELD_PREP(IRTE_HI_SVT, IRTE_SVT_BUS_RANGE) |
		  FIELD_PREP(IRTE_HI_SQ, IRTE_SQ_IGN_2_0) |
		  FIELD_PREP(IRTE_HI_SID, 0x1f20), 0xb1f20 },
		{ "MSI addr: remappable, handle 0xabcd, SHV",
		  FIELD_PREP(MSI_ADDR_BASE, MSI_ADDR_BASE_VALUE) |
		  FIELD_PREP(MSI_ADDR_HANDLE_LO, 0xabcd & 0x7fff) |
		  MSI_ADDR_HANDLE_15 | MSI_ADDR_SHV | MSI_ADDR_IF,
		  0xfee579bcull },
		{ "MSI addr: compatibility, dest 0x5a, DM",
		  FIELD_PREP(MSI_ADDR_BASE, MSI_ADDR_BASE_VALUE) |
		  FIELD_PREP(MSI_ADDR_DEST_ID, 0x5a) | MSI_ADDR_DM,
		  0xfee5a004ull },
		{ "MSI data: vector 0x31, DLM 1, TM",
		  FIELD_PREP(MSI_DATA_VECTOR, 0x31) |
		  FIELD_PREP(MSI_DATA_DLM, 1) | MSI_DATA_TM, 0x8131 },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(e); i++)
		cr_expect_eq(e[i].got, e[i].want, "%s: %#" PRIx64 ", spec %#"
			     PRIx64, e[i].what, e[i].got, e[i].want);
}

/* Descriptors built with the shared macros against literal words, and the
 * literal words accepted by the model's checker. */
Test(encoding, descriptors_built_with_macros_match_literal_words)
{
	struct vtd_model *m = model_new(true, 0, 0);
	struct {
		const char *what;
		uint64_t got[2], want[2];
	} d[] = {
		{ "context-cache, device, DID 0x1234, SID 0x5678, FM 2",
		  { FIELD_PREP(QI_TYPE_LO, QI_CC_TYPE) |
		    FIELD_PREP(QI_CC_G, QI_CC_G_DEVICE) |
		    FIELD_PREP(QI_CC_DID, 0x1234) |
		    FIELD_PREP(QI_CC_SID, 0x5678) | FIELD_PREP(QI_CC_FM, 2),
		    0 },
		  { 0x0002567812340031ull, 0 } },
		{ "IOTLB global, DR, DW",
		  { FIELD_PREP(QI_TYPE_LO, QI_IOTLB_TYPE) |
		    FIELD_PREP(QI_IOTLB_G, QI_IOTLB_G_GLOBAL) |
		    QI_IOTLB_DR | QI_IOTLB_DW, 0 },
		  { 0x00000000000000d2ull, 0 } },
		{ "IOTLB domain, DID 0xabcd",
		  { FIELD_PREP(QI_TYPE_LO, QI_IOTLB_TYPE) |
		    FIELD_PREP(QI_IOTLB_G, QI_IOTLB_G_DSI) |
		    FIELD_PREP(QI_IOTLB_DID, 0xabcd), 0 },
		  { 0x00000000abcd0022ull, 0 } },
		{ "IOTLB page, DID 7, 0x7f0000 AM 4 IH",
		  { FIELD_PREP(QI_TYPE_LO, QI_IOTLB_TYPE) |
		    FIELD_PREP(QI_IOTLB_G, QI_IOTLB_G_PSI) |
		    FIELD_PREP(QI_IOTLB_DID, 7),
		    FIELD_PREP(QI_IOTLB_ADDR, 0x7f0) |
		    FIELD_PREP(QI_IOTLB_AM, 4) | QI_IOTLB_IH },
		  { 0x0000000000070032ull, 0x00000000007f0044ull } },
		{ "device-TLB, SID 0x0310, PFSID 0xabcd, MIP 5, S",
		  { FIELD_PREP(QI_TYPE_LO, QI_DIOTLB_TYPE) |
		    FIELD_PREP(QI_DEV_IOTLB_SID, 0x0310) |
		    FIELD_PREP(QI_DEV_IOTLB_PFSID_LO, 0xabcd & 0xf) |
		    FIELD_PREP(QI_DEV_IOTLB_PFSID_HI, 0xabcd >> 4) |
		    FIELD_PREP(QI_DEV_IOTLB_MIP, 5),
		    FIELD_PREP(QI_DEV_IOTLB_ADDR, 0x12345) | QI_DEV_IOTLB_S },
		  { 0xabc003100005d003ull, 0x0000000012345001ull } },
		{ "IEC index, IM 3, index 0x1238",
		  { FIELD_PREP(QI_TYPE_LO, QI_IEC_TYPE) | QI_IEC_G |
		    FIELD_PREP(QI_IEC_IM, 3) | FIELD_PREP(QI_IEC_IIDX, 0x1238),
		    0 },
		  { 0x0000123818000014ull, 0 } },
		{ "IEC global",
		  { FIELD_PREP(QI_TYPE_LO, QI_IEC_TYPE), 0 }, { 0x4, 0 } },
		{ "wait: data 0xcafe, IF, SW, FN",
		  { FIELD_PREP(QI_TYPE_LO, QI_IWD_TYPE) |
		    FIELD_PREP(QI_IWD_STATUS_DATA, 0xcafe) | QI_IWD_IF |
		    QI_IWD_SW | QI_IWD_FN,
		    FIELD_PREP(QI_IWD_STATUS_ADDR,
			       UINT64_C(0x0000123456789abc) >> 2) },
		  { 0x0000cafe00000075ull, 0x0000123456789abcull } },
		{ "PASID-IOTLB, PASID-selective, DID 0x22, PASID 0xfedcb",
		  { FIELD_PREP(QI_TYPE_LO, QI_EIOTLB_TYPE) |
		    FIELD_PREP(QI_EIOTLB_G, QI_EIOTLB_G_PASID) |
		    FIELD_PREP(QI_EIOTLB_DID, 0x22) |
		    FIELD_PREP(QI_EIOTLB_PASID, 0xfedcb), 0 },
		  { 0x000fedcb00220026ull, 0 } },
		{ "PASID-IOTLB, page, 0x40000000 AM 9",
		  { FIELD_PREP(QI_TYPE_LO, QI_EIOTLB_TYPE) |
		    FIELD_PREP(QI_EIOTLB_G, QI_EIOTLB_G_PSI) |
		    FIELD_PREP(QI_EIOTLB_DID, 1) |
		    FIELD_PREP(QI_EIOTLB_PASID, 1),
		    FIELD_PREP(QI_EIOTLB_ADDR, 0x40000) |
		    FIELD_PREP(QI_EIOTLB_AM, 9) },
		  { 0x0000000100010036ull, 0x0000000040000009ull } },
		{ "PASID-cache, PASID-selective, DID 0x99, PASID 0x12345",
		  { FIELD_PREP(QI_TYPE_LO, QI_PC_TYPE) |
		    FIELD_PREP(QI_PC_G, QI_PC_G_PASID) |
		    FIELD_PREP(QI_PC_DID, 0x99) |
		    FIELD_PREP(QI_PC_PASID, 0x12345), 0 },
		  { 0x0001234500990017ull, 0 } },
		{ "PASID-cache, global",
		  { FIELD_PREP(QI_TYPE_LO, QI_PC_TYPE) |
		    FIELD_PREP(QI_PC_G, QI_PC_G_GLOBAL), 0 },
		  { 0x37, 0 } },
		{ "PASID-devTLB, SID 0x0310, PASID 0x54321, PFSID 0xabcd",
		  { FIELD_PREP(QI_TYPE_LO, QI_DEIOTLB_TYPE) |
		    FIELD_PREP(QI_DEV_EIOTLB_SID, 0x0310) |
		    FIELD_PREP(QI_DEV_EIOTLB_PASID, 0x54321) |
		    FIELD_PREP(QI_DEV_EIOTLB_MIP, 3) |
		    FIELD_PREP(QI_DEV_EIOTLB_PFSID_LO, 0xabcd & 0xf) |
		    FIELD_PREP(QI_DEV_EIOTLB_PFSID_HI, 0xabcd >> 4),
		    FIELD_PREP(QI_DEV_EIOTLB_ADDR, 0x777) |
		    QI_DEV_EIOTLB_S | QI_DEV_EIOTLB_G },
		  { 0xabc543210310d038ull, 0x0000000000777801ull } },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(d); i++) {
		cr_expect_eq(d[i].got[0], d[i].want[0], "%s: word 0 %#" PRIx64
			     ", spec %#" PRIx64, d[i].what, d[i].got[0],
			     d[i].want[0]);
		cr_expect_eq(d[i].got[1], d[i].want[1], "%s: word 1 %#" PRIx64
			     ", spec %#" PRIx64, d[i].what, d[i].got[1],
			     d[i].want[1]);
		/* The wait's status address is not memory the model may
		 * write: a fetch error, not a format error. */
		cr_expect_eq(vtd_model_qi_check(m, d[i].want, false),
			     (d[i].want[0] & 0xf) == 5 ? 2u : 0u,
			     "%s: the model rejects the spec's encoding",
			     d[i].what);
	}
	vtd_model_destroy(m);
}

/* This file's literal builders agree with hand-computed words too, so the
 * tests below that use them submit what the spec says. */
Test(encoding, literal_descriptor_builders_are_right)
{
	cr_assert_eq(d_iotlb(3, 0x1234), 0x12340032ull);
	cr_assert_eq(d_addr(0x5000, 2, 1), 0x5042ull);
	cr_assert_eq(d_iec(true, 1, 0x20), 0x0000002008000014ull);
	cr_assert_eq(d_wait(true, true, false, 0x77), 0x0000007700000035ull);
	cr_assert_eq(d_piotlb(2, 0x10, 0x45), 0x0000004500100026ull);
	cr_assert_eq(d_pc(1, 0x10, 0x45), 0x0000004500100017ull);
	cr_assert_eq(d_cc(1, 0, 0, 0), 0x11ull);
	cr_assert_eq(d_devtlb(0x0310, 0, 0), 0x0000031000000003ull);
	cr_assert_eq(d_pdevtlb(0x0310, 0x45, 0, 0), 0x0000004503100008ull);
	cr_assert_eq(d_type(0x12), 0x202ull);
}

Test(encoding, fault_record_encode_matches_spec_bit_positions)
{
	const struct vtd_fault_record f = {
		.sid = 0xa5c3, .reason = 0x59, .is_write = false,
		.pasid_present = true, .pasid = 0xfedcb,
		.fault_info = UINT64_C(0x0000123456789000),
	};
	struct vtd_fault_record back;
	uint64_t r[2];

	vtd_fault_record_encode(&f, r);
	/* F [127], T1 [126] (read), AT 0, PV [123:104], FR [103:96],
	 * PP [95], SID [79:64]. */
	cr_assert_eq(r[1], B(63) | B(62) | 0xfedcbull << 40 | 0x59ull << 32 |
		     B(31) | 0xa5c3, "hi %#" PRIx64, r[1]);
	cr_assert_eq(r[0], UINT64_C(0x0000123456789000));
	vtd_fault_record_decode(r, &back);
	cr_assert_eq(back.sid, f.sid);
	cr_assert_eq(back.reason, f.reason);
	cr_assert_eq(back.is_write, f.is_write);
	cr_assert_eq(back.pasid_present, true);
	cr_assert_eq(back.pasid, f.pasid);
	cr_assert_eq(back.fault_info, f.fault_info);
}

Test(encoding, fault_record_of_write_without_pasid)
{
	const struct vtd_fault_record f = {
		.sid = 0x0100, .reason = 0x26, .is_write = true,
		.fault_info = UINT64_C(0x1234) << 48,
	};
	uint64_t r[2];

	vtd_fault_record_encode(&f, r);
	cr_assert_eq(r[1], B(63) | 0x26ull << 32 | 0x0100, "hi %#" PRIx64,
		     r[1]);
	cr_assert_eq(r[0], 0x1234000000000000ull);
}

/* Each descriptor with one bit its format reserves, or a reserved value,
 * or a type the unit does not know: what vtd_model_qi_check() says. */
Test(encoding, qi_check_rejects_reserved_bits_values_and_types)
{
	struct vtd_model *m = model_new(true, 0, 0);
	struct vtd_model *leg = model_new(false, 0, 0);
	const struct {
		const char *what;
		struct vtd_model *m;
		uint64_t d[4];
		bool wide;
		uint32_t iqei;
	} c[] = {
		{ "type 0", m, { 0, 0 }, false, 3 },
		{ "type 9", m, { 0x9, 0 }, false, 3 },
		{ "type 15", m, { 0xf, 0 }, false, 3 },
		{ "type 0x12 (IOTLB + [11:9] 1)", m,
		  { d_iotlb(1, 0) | B(9), 0 }, false, 3 },
		{ "PASID-IOTLB without scalable mode", leg,
		  { d_piotlb(2, 1, 1), 0 }, false, 3 },
		{ "PASID-cache without scalable mode", leg,
		  { d_pc(0, 1, 0), 0 }, false, 3 },
		{ "PASID-devTLB without scalable mode", leg,
		  { d_pdevtlb(1, 1, 0, 0), 0 }, false, 3 },
		{ "CC bit 8", m, { d_cc(1, 0, 0, 0) | B(8), 0 }, false, 4 },
		{ "CC bit 50", m, { d_cc(1, 0, 0, 0) | B(50), 0 }, false, 4 },
		{ "CC word 1", m, { d_cc(1, 0, 0, 0), 1 }, false, 4 },
		{ "CC G 0", m, { d_cc(0, 1, 0, 0), 0 }, false, 4 },
		{ "IOTLB bit 8", m, { d_iotlb(1, 0) | B(8), 0 }, false, 4 },
		{ "IOTLB bit 32", m, { d_iotlb(2, 1) | B(32), 0 }, false, 4 },
		{ "IOTLB word 1 bit 7", m, { d_iotlb(3, 1), B(7) }, false, 4 },
		{ "IOTLB G 0", m, { d_iotlb(0, 1), 0 }, false, 4 },
		{ "IOTLB AM 19 > MAMV 18", m, { d_iotlb(3, 1), 19 }, false,
		  4 },
		{ "devTLB bit 21", m, { d_devtlb(1, 0, 0) | B(21), 0 }, false,
		  4 },
		{ "devTLB word 1 bit 1", m, { d_devtlb(1, 0, 0), B(1) }, false,
		  4 },
		{ "IEC bit 5", m, { d_iec(true, 0, 0) | B(5), 0 }, false, 4 },
		{ "IEC bit 48", m, { d_iec(true, 0, 0) | B(48), 0 }, false, 4 },
		{ "IEC IM 16 > MHMV 15", m, { d_iec(true, 16, 0), 0 }, false,
		  4 },
		{ "wait PD without ECAP.PDS", m,
		  { d_wait(false, false, false, 0) | B(7), 0 }, false, 4 },
		{ "wait bit 12", m, { d_wait(false, false, false, 0) | B(12),
				      0 }, false, 4 },
		{ "wait word 1 bit 1", m, { d_wait(true, false, false, 0),
					    B(1) }, false, 4 },
		{ "PASID-IOTLB G 0", m, { d_piotlb(0, 1, 1), 0 }, false, 4 },
		{ "PASID-IOTLB G 1", m, { d_piotlb(1, 1, 1), 0 }, false, 4 },
		{ "PASID-IOTLB bit 52", m, { d_piotlb(2, 1, 1) | B(52), 0 },
		  false, 4 },
		{ "PASID-IOTLB AM 19", m, { d_piotlb(3, 1, 1), 19 }, false, 4 },
		{ "PASID-cache G 2", m, { d_pc(2, 1, 1), 0 }, false, 4 },
		{ "PASID-cache word 1", m, { d_pc(0, 1, 1), 1 }, false, 4 },
		{ "PASID-devTLB word 1 bit 1", m,
		  { d_pdevtlb(1, 1, 0, 0), B(1) }, false, 4 },
		{ "256-bit: word 2", m, { d_iotlb(1, 0), 0, 1, 0 }, true, 4 },
		{ "256-bit: word 3", m, { d_iotlb(1, 0), 0, 0, B(63) }, true,
		  4 },
		{ "wait SW to unreachable status", m,
		  { d_wait(false, true, false, 1), BAD_ADDR }, false, 2 },
		/* Accepted: the boundaries. */
		{ "IOTLB AM 18 = MAMV", m, { d_iotlb(3, 1), 18 }, false, 0 },
		{ "IEC IM 15 = MHMV", m, { d_iec(true, 15, 0), 0 }, false, 0 },
		{ "PASID-cache G 3 (global)", m, { d_pc(3, 0, 0), 0 }, false,
		  0 },
		{ "IEC global ignores IM", m, { d_iec(false, 31, 0), 0 },
		  false, 0 },
		{ "IOTLB DSI ignores word 1 AM", m, { d_iotlb(2, 1), 63 },
		  false, 0 },
		{ "device-TLB without scalable mode", leg,
		  { d_devtlb(1, 0, 0), 0 }, false, 0 },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(c); i++) {
		uint32_t got = vtd_model_qi_check(c[i].m, c[i].d, c[i].wide);

		cr_expect_eq(got, c[i].iqei, "%s: IQEI %u, want %u", c[i].what,
			     got, c[i].iqei);
	}
	vtd_model_destroy(leg);
	vtd_model_destroy(m);
}

Test(encoding, registers_advertise_what_the_model_implements)
{
	struct world w = { 0 };
	uint64_t cap, ecap;

	w.m = model_new(true, 13, 16);
	cap = rd64(&w, R_CAP);
	ecap = rd64(&w, R_ECAP);
	cr_assert_eq(rd32(&w, R_VER), 0x30);
	cr_assert_eq(bits(cap, 12, 8), 0x6, "SAGAW: 39 and 48 bit");
	cr_assert_eq(bits(cap, 21, 16), 47, "MGAW");
	cr_assert_eq(bits(cap, 47, 40), 12, "NFR - 1");
	cr_assert_eq(bits(cap, 33, 24) * 16, 0x400, "FRO");
	cr_assert_eq(bits(cap, 37, 34), 0x3, "SLLPS: 2M, 1G");
	cr_assert_eq(bits(cap, 53, 48), 18, "MAMV");
	cr_assert_eq(bits(cap, 39, 39), 1, "PSI");
	cr_assert_eq(bits(cap, 59, 59), 0, "no PI");
	cr_assert_eq(bits(ecap, 39, 35), 15, "PSS");
	cr_assert_eq(bits(ecap, 43, 43), 1, "SMTS");
	cr_assert_eq(bits(ecap, 23, 20), 15, "MHMV");
	cr_assert_eq(bits(ecap, 17, 8) * 16, 0x300, "IRO");
	cr_assert_eq(ecap & (B(1) | B(3) | B(4)), B(1) | B(3) | B(4),
		     "QI, IR, EIM");
	cr_assert_eq(rd32(&w, R_GSTS), 0, "reset: everything off");
	cr_assert_eq(rd32(&w, R_FECTL), 1u << 31, "reset: FECTL.IM");
	vtd_model_destroy(w.m);
}

/* ========================================================== decode ===== */

TestSuite(decode, .init = suite_init, .fini = suite_fini, .timeout = 30);

static void
xlate_ok(struct world *w, uint16_t sid, uint32_t pasid, uint64_t iova,
	 uint32_t access, uint64_t out, unsigned int pgshift, uint32_t tag,
	 const char *what)
{
	struct uiommu_walk_result res;
	int rc = xlate(w, sid, pasid, iova, access, &res);

	cr_assert_eq(rc, 0, "%s: rc %d (reason %u), FSTS %#x", what, rc,
		     res.reason, rd32(w, R_FSTS));
	cr_assert_eq(res.out, out, "%s: out %#" PRIx64 ", want %#" PRIx64,
		     what, res.out, out);
	cr_assert_eq(res.pgshift, pgshift, "%s: pgshift %u, want %u", what,
		     res.pgshift, pgshift);
	cr_assert_eq(res.tag, tag, "%s: tag %#x, want %#x", what, res.tag,
		     tag);
	cr_assert_eq(rd32(w, R_FSTS), 0, "%s: a fault was recorded", what);
}

Test(decode, translation_disabled_passes_through)
{
	struct world w = { 0 };

	w.m = model_new(true, 0, 0);
	xlate_ok(&w, SID, NOPASID, IOVA + 0x123, UIOMMU_ACCESS_WRITE, IOVA,
		 12, 0, "TE clear");
	vtd_model_destroy(w.m);
}

Test(decode, legacy_context_entry_did_and_aw)
{
	struct world w;

	world_new(&w, W_LEG4, 0, 0);
	xlate_ok(&w, SID, NOPASID, IOVA, ACCESS_RW, OUT, 12, DID_A,
		 "legacy AW 2");
	/* Only this requester's entries exist. */
	cr_assert_neq(xlate(&w, SID + 1, NOPASID, IOVA, UIOMMU_ACCESS_READ,
			    &(struct uiommu_walk_result){ 0 }), 0);
	world_free(&w);

	world_new(&w, W_LEG3, 0, 0);
	xlate_ok(&w, SID, NOPASID, IOVA | 0xfff, UIOMMU_ACCESS_READ, OUT, 12,
		 DID_A, "legacy AW 1");
	world_free(&w);
}

Test(decode, legacy_pass_through_is_identity_and_uncached)
{
	struct world w;

	world_new(&w, W_LEG4, 0, 0);
	ctx_entry(&w, SID)[0] = (ctx_entry(&w, SID)[0] & ~0xcull) | 2u << 2;
	xlate_ok(&w, SID, NOPASID, IOVA, ACCESS_RW, IOVA, 12, 0, "TT 2");
	world_free(&w);
}

Test(decode, second_level_superpages_and_rights)
{
	struct world w;

	world_new(&w, W_LEG4, 0, 0);
	/* A 2 MiB leaf at level 2: R only. */
	*sl_entry(&w, 2) = UINT64_C(0x40000000) | B(7) | 0x1;
	xlate_ok(&w, SID, NOPASID, IOVA, UIOMMU_ACCESS_READ,
		 UINT64_C(0x40000000), 21, DID_A, "2M leaf");
	/* A 1 GiB leaf at level 3. */
	*sl_entry(&w, 1) = UINT64_C(0x80000000) | B(7) | 0x3;
	xlate_ok(&w, SID, NOPASID, IOVA, UIOMMU_ACCESS_WRITE,
		 UINT64_C(0x80000000), 30, DID_A, "1G leaf");
	world_free(&w);
}

Test(decode, scalable_second_level_by_rid_pasid_and_pasid)
{
	struct world w;

	world_new(&w, W_SM_SL, 0, 0);
	xlate_ok(&w, SID, NOPASID, IOVA, ACCESS_RW, OUT, 12, DID_RID,
		 "no PASID: RID_PASID 0");
	xlate_ok(&w, SID, PASID_A, IOVA, ACCESS_RW, OUT, 12, DID_A,
		 "PASID 0x45: directory 1, table 5");
	/* RID_PASID names the entry requests without PASID use. */
	ctx_entry(&w, SID)[1] = PASID_A;
	xlate_ok(&w, SID, NOPASID, IOVA, ACCESS_RW, OUT, 12, DID_A,
		 "RID_PASID 0x45");
	/* Snoop / page-walk snoop are accepted (ECAP.SMPWCS). */
	pasid_entry(&w, PASID_A)[1] |= B(23) | B(24);
	xlate_ok(&w, SID, PASID_A, IOVA, ACCESS_RW, OUT, 12, DID_A,
		 "PWSNP, PGSNP");
	world_free(&w);
}

Test(decode, scalable_root_upper_half_serves_devfn_128_up)
{
	struct world w;
	uint64_t *ce;

	world_new(&w, W_SM_SL, 0, 0);
	/* The upper context table gets a distinct RID_PASID: only the upper
	 * half of the root entry leads there. */
	ce = ctx_entry(&w, SID_UP);
	ce[1] = PASID_A;
	xlate_ok(&w, SID_UP, NOPASID, IOVA, UIOMMU_ACCESS_READ, OUT, 12,
		 DID_A, "devfn 0xb4");
	xlate_ok(&w, SID, NOPASID, IOVA, UIOMMU_ACCESS_READ, OUT, 12,
		 DID_RID, "devfn 0x34");
	world_free(&w);
}

Test(decode, first_level_user_pages_and_1g_page)
{
	struct world w;

	world_new(&w, W_SM_FL, 0, 0);
	xlate_ok(&w, SID, PASID_A, IOVA, ACCESS_RW, OUT, 12, DID_A,
		 "FL 4K");
	/* A 1 GiB page at the PDPT (CAP.FL1GP): P | RW | US | PS. */
	*fl_entry(&w, 1) = UINT64_C(0xc0000000) | B(7) | 0x7;
	xlate_ok(&w, SID, PASID_A, IOVA, UIOMMU_ACCESS_READ,
		 UINT64_C(0xc0000000), 30, DID_A, "FL 1G");
	/* XD is allowed with NXE. */
	*fl_entry(&w, 1) |= B(63);
	pasid_entry(&w, PASID_A)[2] |= B(5);
	xlate_ok(&w, SID, PASID_A, IOVA, UIOMMU_ACCESS_READ,
		 UINT64_C(0xc0000000), 30, DID_A, "FL XD with NXE");
	world_free(&w);
}

Test(decode, nested_first_level_output_through_second_level)
{
	struct world w;

	world_new(&w, W_SM_NEST, 0, 0);
	xlate_ok(&w, SID, PASID_A, IOVA, ACCESS_RW, OUT, 12, DID_A,
		 "nested 4K/4K");
	/* FL 2 MiB page at GPA 0x40200000, which the SL maps inside a
	 * 1 GiB page at 0x200000000: the result is the smaller size, at
	 * the FL page's offset in the SL page. */
	*fl_entry(&w, 2) = UINT64_C(0x40200000) | B(7) | 0x7;
	sl_build(&w, 4, UINT64_C(0x40200000), 0);
	*sl_entry(&w, 1) = UINT64_C(0x200000000) | B(7) | 0x3;
	xlate_ok(&w, SID, PASID_A, IOVA, UIOMMU_ACCESS_READ,
		 UINT64_C(0x200200000), 21, DID_A, "nested FL 2M over SL 1G");
	world_free(&w);
}

Test(decode, pass_through_pasid_entry_is_identity)
{
	struct world w;

	world_new(&w, W_SM_PT, 0, 0);
	xlate_ok(&w, SID, PASID_A, IOVA + 7, ACCESS_RW, IOVA, 12, 0,
		 "PGTT PT");
	world_free(&w);
}

/* =========================================================== faults ===== */

TestSuite(faults, .init = suite_init, .fini = suite_fini, .timeout = 30);

enum tgt { T_NONE, T_RTADDR, T_ROOT, T_CTX, T_PDIR, T_PASID, T_SL, T_FL };

/* Word @word of @tgt: (w & ~clr) | set. T_SL / T_FL: entry @word of the
 * path (0: top). T_PDIR / T_PASID: the entry of the request's PASID (or
 * RID_PASID 0). T_CTX: the requester's context entry. T_ROOT: bus BUS. */
struct poke {
	enum tgt tgt;
	unsigned int word;
	uint64_t clr, set;
};

struct fcase {
	const char *what;
	enum wmode mode;
	uint8_t fr;		/* the FRCD.FR expected */
	struct poke poke[2];
	uint16_t sid;		/* 0: SID */
	uint32_t pasid;		/* 0: a request without PASID */
	uint64_t iova;		/* 0: IOVA */
	uint32_t access;	/* 0: read */
	uint8_t pasid_bits;	/* model cfg (0: 20) */
};

#define P(t, wd, c, s)	{ .tgt = (t), .word = (wd), .clr = (c), .set = (s) }
#define TO_BAD(t, wd)	P(t, wd, ADDR_51_12, BAD_ADDR)

static const struct fcase fault_cases[] = {
	/* ---- legacy mode ---- */
	{ "LRT.2 root not present", W_LEG4, 0x01,
	  { P(T_ROOT, 0, 0x1, 0) } },
	{ "LCT.2 context not present", W_LEG4, 0x02,
	  { P(T_CTX, 0, 0x1, 0) } },
	{ "LCT.4 TT 3", W_LEG4, 0x03, { P(T_CTX, 0, 0, 0xc) } },
	{ "LCT.4 AW 3 (57-bit) not in SAGAW", W_LEG4, 0x03,
	  { P(T_CTX, 1, 0x7, 0x3) } },
	{ "LCT.4 AW 0", W_LEG4, 0x03, { P(T_CTX, 1, 0x7, 0x0) } },
	{ "LGN.1 input above AW 1's 39 bits", W_LEG3, 0x04, { { 0 } },
	  .iova = IOVA | B(39) },
	{ "LGN.1 input above AW 2's 48 bits", W_LEG4, 0x04, { { 0 } },
	  .iova = IOVA | B(48) },
	{ "LGN.2 write to a read-only leaf", W_LEG4, 0x05,
	  { P(T_SL, 3, 0x2, 0) }, .access = UIOMMU_ACCESS_WRITE },
	{ "LGN.2 write to a non-present leaf", W_LEG4, 0x05,
	  { P(T_SL, 3, 0x3, 0) }, .access = UIOMMU_ACCESS_WRITE },
	{ "LGN.2 write under a read-only non-leaf", W_LEG4, 0x05,
	  { P(T_SL, 1, 0x2, 0) }, .access = UIOMMU_ACCESS_WRITE },
	{ "LGN.3 read of a write-only leaf", W_LEG4, 0x06,
	  { P(T_SL, 3, 0x1, 0) } },
	{ "LGN.3 read of a non-present entry", W_LEG4, 0x06,
	  { P(T_SL, 2, 0x3, 0) } },
	{ "LGN.3 read under a write-only top entry", W_LEG4, 0x06,
	  { P(T_SL, 0, 0x1, 0) } },
	{ "LSL.1 SLPTPTR unreachable", W_LEG4, 0x07, { TO_BAD(T_CTX, 0) } },
	{ "LSL.1 level-2 table unreachable", W_LEG4, 0x07,
	  { TO_BAD(T_SL, 1) } },
	{ "LRT.1 root table unreachable", W_LEG4, 0x08,
	  { TO_BAD(T_RTADDR, 0) } },
	{ "LCT.1 context table unreachable", W_LEG4, 0x09,
	  { TO_BAD(T_ROOT, 0) } },
	{ "LRT.3 root bit 1", W_LEG4, 0x0a, { P(T_ROOT, 0, 0, B(1)) } },
	{ "LRT.3 root bit 64", W_LEG4, 0x0a, { P(T_ROOT, 1, 0, B(0)) } },
	{ "LRT.3 root CTP above HAW", W_LEG4, 0x0a,
	  { P(T_ROOT, 0, 0, B(48)) } },
	{ "LCT.3 context bit 4", W_LEG4, 0x0b, { P(T_CTX, 0, 0, B(4)) } },
	{ "LCT.3 context bit 71", W_LEG4, 0x0b, { P(T_CTX, 1, 0, B(7)) } },
	{ "LCT.3 context bit 88", W_LEG4, 0x0b, { P(T_CTX, 1, 0, B(24)) } },
	{ "LSL.2 non-leaf address above HAW", W_LEG4, 0x0c,
	  { P(T_SL, 0, 0, B(50)) } },
	{ "LSL.2 PS in a 4-level top entry", W_LEG4, 0x0c,
	  { P(T_SL, 0, 0, B(7)) } },
	{ "LSL.2 PS in a 4 KiB PTE", W_LEG4, 0x0c,
	  { P(T_SL, 3, 0, B(7)) } },
	{ "LSL.2 2 MiB leaf with address bits [20:12]", W_LEG4, 0x0c,
	  { P(T_SL, 2, ~0ull, UINT64_C(0x40001000) | B(7) | 0x3) } },
	{ "LSL.2 TM", W_LEG4, 0x0c, { P(T_SL, 3, 0, B(62)) } },
	{ "RTA.1 TTM 2 (reserved)", W_LEG4, 0x30,
	  { P(T_RTADDR, 0, 0, 2u << 10) } },
	{ "RTA.1 TTM 3 without ECAP.ADMS", W_LEG4, 0x30,
	  { P(T_RTADDR, 0, 0, 3u << 10) } },
	{ "RTA.1 TTM 1 without ECAP.SMTS", W_LEG_NOSM, 0x30,
	  { P(T_RTADDR, 0, 0, 1u << 10) } },
	{ "RTA.2 legacy mode, request with PASID", W_LEG4, 0x31, { { 0 } },
	  .pasid = PASID_A },
	/* ---- scalable mode: root, context ---- */
	{ "SRT.1 root table unreachable", W_SM_SL, 0x38,
	  { TO_BAD(T_RTADDR, 0) } },
	{ "SRT.2 LP clear", W_SM_SL, 0x39, { P(T_ROOT, 0, 0x1, 0) } },
	{ "SRT.2 UP clear", W_SM_SL, 0x39, { P(T_ROOT, 1, 0x1, 0) },
	  .sid = SID_UP },
	{ "SRT.3 lower bit 1", W_SM_SL, 0x3a, { P(T_ROOT, 0, 0, B(1)) } },
	{ "SRT.3 upper bit 75", W_SM_SL, 0x3a, { P(T_ROOT, 1, 0, B(11)) },
	  .sid = SID_UP },
	{ "SCT.1 LCTP unreachable", W_SM_SL, 0x40, { TO_BAD(T_ROOT, 0) } },
	{ "SCT.1 UCTP unreachable", W_SM_SL, 0x40, { TO_BAD(T_ROOT, 1) },
	  .sid = SID_UP },
	{ "SCT.2 context not present", W_SM_SL, 0x41,
	  { P(T_CTX, 0, 0x1, 0) } },
	{ "SCT.3 context bit 5", W_SM_SL, 0x42, { P(T_CTX, 0, 0, B(5)) } },
	{ "SCT.3 PRE without ECAP.PRS", W_SM_SL, 0x42,
	  { P(T_CTX, 0, 0, B(4)) } },
	{ "SCT.3 RID_PRIV without ECAP.RPRIVS", W_SM_SL, 0x42,
	  { P(T_CTX, 1, 0, B(20)) } },
	{ "SCT.3 context bit 85", W_SM_SL, 0x42, { P(T_CTX, 1, 0, B(21)) } },
	{ "SCT.3 context bit 128", W_SM_SL, 0x42, { P(T_CTX, 2, 0, B(0)) } },
	{ "SCT.3 context bit 255", W_SM_SL, 0x42,
	  { P(T_CTX, 3, 0, B(63)) } },
	{ "SCT.6 PASID request, PASIDE clear", W_SM_SL, 0x45,
	  { P(T_CTX, 0, B(3), 0) }, .pasid = PASID_A },
	{ "SCT.7 PASID beyond PDTS", W_SM_SL, 0x46, { { 0 } },
	  .pasid = 128u << 6 },
	{ "SCT.7 PASID beyond ECAP.PSS", W_SM_SL, 0x46, { { 0 } },
	  .pasid = 0x100, .pasid_bits = 8 },
	{ "SCT.9 RID_PASID beyond PDTS", W_SM_SL, 0x48,
	  { P(T_CTX, 1, 0xfffff, 128u << 6) } },
	/* ---- scalable mode: PASID directory and table ---- */
	{ "SPD.1 directory unreachable", W_SM_SL, 0x50,
	  { TO_BAD(T_CTX, 0) } },
	{ "SPD.2 directory entry not present", W_SM_SL, 0x51,
	  { P(T_PDIR, 0, 0x1, 0) }, .pasid = PASID_A },
	{ "SPD.3 directory entry bit 2", W_SM_SL, 0x52,
	  { P(T_PDIR, 0, 0, B(2)) } },
	{ "SPT.1 PASID table unreachable", W_SM_SL, 0x58,
	  { TO_BAD(T_PDIR, 0) }, .pasid = PASID_A },
	{ "SPT.2 PASID entry not present", W_SM_SL, 0x59,
	  { P(T_PASID, 0, 0x1, 0) }, .pasid = PASID_A },
	{ "SPT.3 bit 10", W_SM_SL, 0x5a, { P(T_PASID, 0, 0, B(10)) } },
	{ "SPT.3 SLADE without ECAP.SLADS", W_SM_SL, 0x5a,
	  { P(T_PASID, 0, 0, B(9)) } },
	{ "SPT.3 bit 80", W_SM_SL, 0x5a, { P(T_PASID, 1, 0, B(16)) } },
	{ "SPT.3 SRE without ECAP.SRS", W_SM_SL, 0x5a,
	  { P(T_PASID, 2, 0, B(0)) } },
	{ "SPT.3 ERE without ECAP.ERS", W_SM_SL, 0x5a,
	  { P(T_PASID, 2, 0, B(1)) } },
	{ "SPT.3 EAFE without ECAP.EAFS", W_SM_SL, 0x5a,
	  { P(T_PASID, 2, 0, B(7)) } },
	{ "SPT.3 bit 136", W_SM_SL, 0x5a, { P(T_PASID, 2, 0, B(8)) } },
	{ "SPT.3 bit 192", W_SM_SL, 0x5a, { P(T_PASID, 3, 0, B(0)) } },
	{ "SPT.3 bit 511", W_SM_SL, 0x5a, { P(T_PASID, 7, 0, B(63)) } },
	{ "SPT.4 PGTT 0", W_SM_SL, 0x5b, { P(T_PASID, 0, 0x1c0, 0) } },
	{ "SPT.4 PGTT 5", W_SM_SL, 0x5b, { P(T_PASID, 0, 0x1c0, 5u << 6) } },
	{ "SPT.4 PGTT 7", W_SM_SL, 0x5b, { P(T_PASID, 0, 0x1c0, 7u << 6) } },
	{ "SPT.4 SL AW 3 not in SAGAW", W_SM_SL, 0x5b,
	  { P(T_PASID, 0, 0x1c, 3u << 2) } },
	{ "SPT.4 nested AW 0", W_SM_NEST, 0x5b,
	  { P(T_PASID, 0, 0x1c, 0) }, .pasid = PASID_A },
	{ "SPT.4 FL FLPM 1 (5-level) without CAP.FL5LP", W_SM_FL, 0x5b,
	  { P(T_PASID, 2, 0, 1u << 2) }, .pasid = PASID_A },
	/* ---- scalable mode: first level ---- */
	{ "SFL.1 FLPTR unreachable", W_SM_FL, 0x70, { TO_BAD(T_PASID, 2) },
	  .pasid = PASID_A },
	{ "SFL.1 PDPT unreachable", W_SM_FL, 0x70, { TO_BAD(T_FL, 0) },
	  .pasid = PASID_A },
	{ "SFL.2 PML4E not present", W_SM_FL, 0x71,
	  { P(T_FL, 0, 0x1, 0) }, .pasid = PASID_A },
	{ "SFL.2 PTE not present", W_SM_FL, 0x71, { P(T_FL, 3, 0x1, 0) },
	  .pasid = PASID_A, .access = UIOMMU_ACCESS_WRITE },
	{ "SFL.3 PS in PML4E", W_SM_FL, 0x72, { P(T_FL, 0, 0, B(7)) },
	  .pasid = PASID_A },
	{ "SFL.3 XD without NXE", W_SM_FL, 0x72, { P(T_FL, 3, 0, B(63)) },
	  .pasid = PASID_A },
	{ "SFL.3 address above HAW", W_SM_FL, 0x72,
	  { P(T_FL, 1, 0, B(49)) }, .pasid = PASID_A },
	{ "SFL.3 1G page with address bits [29:13]", W_SM_FL, 0x72,
	  { P(T_FL, 1, ~0ull, UINT64_C(0xc0002000) | B(7) | 0x7) },
	  .pasid = PASID_A },
	/* ---- scalable mode: second level ---- */
	{ "SSL.1 SLPTPTR unreachable", W_SM_SL, 0x78,
	  { TO_BAD(T_PASID, 0) } },
	{ "SSL.1 nested: SL table unreachable", W_SM_NEST, 0x78,
	  { TO_BAD(T_SL, 2) }, .pasid = PASID_A },
	{ "SSL.2 SL leaf R and W clear", W_SM_SL, 0x79,
	  { P(T_SL, 3, 0x3, 0) }, .access = UIOMMU_ACCESS_WRITE },
	{ "SSL.2 SL top entry R and W clear", W_SM_SL, 0x79,
	  { P(T_SL, 0, 0x3, 0) }, .pasid = PASID_A },
	{ "SSL.3 SL address above HAW", W_SM_SL, 0x7a,
	  { P(T_SL, 1, 0, B(51)) } },
	{ "SSL.3 SL PS in a 4 KiB PTE", W_SM_NEST, 0x7a,
	  { P(T_SL, 3, 0, B(7)) }, .pasid = PASID_A },
	/* ---- scalable mode: general ---- */
	{ "SGN.1 non-canonical FL input", W_SM_FL, 0x80, { { 0 } },
	  .pasid = PASID_A, .iova = IOVA | B(47) },
	{ "SGN.1 non-canonical FL input (bit 63)", W_SM_NEST, 0x80,
	  { { 0 } }, .pasid = PASID_A, .iova = IOVA | B(63) },
	{ "SGN.2 U/S clear in PDPTE", W_SM_FL, 0x81,
	  { P(T_FL, 1, 0x4, 0) }, .pasid = PASID_A },
	{ "SGN.2 U/S clear in PTE", W_SM_NEST, 0x81,
	  { P(T_FL, 3, 0x4, 0) }, .pasid = PASID_A },
	{ "SGN.4 SL input above AW 1", W_SM_SL, 0x83,
	  { P(T_PASID, 0, 0x1c, 1u << 2) }, .iova = IOVA | B(39) },
	{ "SGN.4 nested GPA above AW 1", W_SM_NEST, 0x83,
	  { P(T_PASID, 0, 0x1c, 1u << 2), P(T_FL, 3, 0, B(39)) },
	  .pasid = PASID_A },
	{ "SGN.6 write, SL W clear", W_SM_SL, 0x85, { P(T_SL, 3, 0x2, 0) },
	  .access = UIOMMU_ACCESS_WRITE },
	{ "SGN.6 write, FL R/W clear", W_SM_FL, 0x85,
	  { P(T_FL, 2, 0x2, 0) }, .pasid = PASID_A,
	  .access = UIOMMU_ACCESS_WRITE },
	{ "SGN.6 nested write, SL W clear", W_SM_NEST, 0x85,
	  { P(T_SL, 0, 0x2, 0) }, .pasid = PASID_A,
	  .access = ACCESS_RW },
	{ "SGN.7 read, SL R clear", W_SM_SL, 0x86, { P(T_SL, 3, 0x1, 0) },
	  .pasid = PASID_A },
	{ "SGN.7 nested read, SL R clear", W_SM_NEST, 0x86,
	  { P(T_SL, 2, 0x1, 0) }, .pasid = PASID_A },
};

static uint64_t *
poke_word(struct world *w, const struct fcase *c, const struct poke *p,
	  uint16_t sid)
{
	uint32_t pasid = c->pasid != 0 ? c->pasid : 0;

	switch (p->tgt) {
	case T_ROOT:
		return &w->root[BUS * 2 + p->word];
	case T_CTX:
		return ctx_entry(w, sid) + p->word;
	case T_PDIR:
		return &w->pdir[pasid >> 6];
	case T_PASID:
		return pasid_entry(w, pasid) + p->word;
	case T_SL:
		return sl_entry(w, p->word);
	case T_FL:
		return fl_entry(w, p->word);
	default:
		cr_assert_fail("bad poke target %d", p->tgt);
		return NULL;
	}
}

static void
poke_apply(struct world *w, const struct fcase *c, uint16_t sid)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(c->poke); i++) {
		const struct poke *p = &c->poke[i];
		uint64_t *word;

		if (p->tgt == T_NONE)
			continue;
		if (p->tgt == T_RTADDR) {
			uint64_t rt = rd64(w, R_RTADDR);

			rtaddr_set(w, (rt & ~p->clr) | p->set);
			continue;
		}
		word = poke_word(w, c, p, sid);
		*word = (*word & ~p->clr) | p->set;
	}
}

static void
fault_case_run(const struct fcase *c)
{
	uint16_t sid = c->sid != 0 ? c->sid : SID;
	uint32_t pasid = c->pasid != 0 ? c->pasid : NOPASID;
	uint64_t iova = c->iova != 0 ? c->iova : IOVA;
	uint32_t access = c->access != 0 ? c->access : UIOMMU_ACCESS_READ;
	struct uiommu_walk_result res;
	struct vtd_model_stats st;
	struct world w;
	int rc;

	world_new(&w, c->mode, 0, c->pasid_bits);
	/* The untouched world translates: the poke is what faults. */
	rc = xlate(&w, sid, c->mode >= W_SM_SL && pasid == PASID_A ?
		   PASID_A : NOPASID, IOVA, UIOMMU_ACCESS_READ, &res);
	cr_assert_eq(rc, 0, "%s: control translation faulted (FSTS %#x)",
		     c->what, rd32(&w, R_FSTS));
	poke_apply(&w, c, sid);
	rc = xlate(&w, sid, pasid, iova, access, &res);
	cr_assert_eq(rc, -EFAULT, "%s: rc %d", c->what, rc);
	cr_assert_neq(res.reason, UIOMMU_FAULT_NONE, "%s", c->what);
	cr_assert_eq(res.tag, 0, "%s: tag of a fault", c->what);
	frcd_expect(&w, 0, sid, c->fr, access & UIOMMU_ACCESS_WRITE, pasid,
		    iova & ~UINT64_C(0xfff), c->what);
	cr_assert(!frcd_f(&w, 1), "%s: a second record", c->what);
	/* PPF, FRI 0. */
	fsts_expect(&w, FS_PPF, c->what);
	st = stats(&w);
	cr_assert_eq(st.faults_recorded, 1, "%s", c->what);
	world_free(&w);
}

Test(faults, every_dma_fault_reason_is_recorded_in_frcd)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(fault_cases); i++)
		fault_case_run(&fault_cases[i]);
}

/* The reasons the table covers, so a reason the model can produce cannot
 * silently lose its case. */
Test(faults, table_covers_every_dma_reason_the_walker_produces)
{
	static const uint8_t produced[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
		0x0b, 0x0c, 0x30, 0x31, 0x38, 0x39, 0x3a, 0x40, 0x41, 0x42,
		0x45, 0x46, 0x48, 0x50, 0x51, 0x52, 0x58, 0x59, 0x5a, 0x5b,
		0x70, 0x71, 0x72, 0x78, 0x79, 0x7a, 0x80, 0x81, 0x83, 0x85,
		0x86,
	};
	unsigned int i, j;

	for (i = 0; i < RTE_DIM(produced); i++) {
		for (j = 0; j < RTE_DIM(fault_cases); j++)
			if (fault_cases[j].fr == produced[i])
				break;
		cr_expect_lt(j, RTE_DIM(fault_cases), "no case for FR %#x",
			     produced[i]);
	}
}

/* ============================================================ frcd ===== */

TestSuite(frcd, .init = suite_init, .fini = suite_fini, .timeout = 30);

/* A read fault at page @n of a non-present SL leaf (LGN.3). */
static void
fault_at(struct world *w, unsigned int n)
{
	struct uiommu_walk_result res;

	cr_assert_eq(xlate(w, SID, NOPASID, IOVA + 0x200000ull * (n + 1),
			   UIOMMU_ACCESS_READ, &res), -EFAULT);
}

static uint64_t
fault_iova(unsigned int n)
{
	return IOVA + 0x200000ull * (n + 1);
}

Test(frcd, overflow_sets_pfo_drops_and_recording_resumes_after_clear)
{
	struct world w;
	unsigned int i;

	world_new(&w, W_LEG4, 4, 0);
	for (i = 0; i < 4; i++)
		fault_at(&w, i);
	for (i = 0; i < 4; i++)
		frcd_expect(&w, i, SID, 0x06, false, NOPASID, fault_iova(i),
			    "FRCD i holds fault i");
	fsts_expect(&w, FS_PPF, "4 of 4: FRI 0 (the first), no PFO");

	/* FRCD 0 (the next index, wrapped) still holds a fault: overflow. */
	fault_at(&w, 4);
	fsts_expect(&w, FS_PPF | FS_PFO, "fifth fault");
	frcd_expect(&w, 0, SID, 0x06, false, NOPASID, fault_iova(0),
		    "FRCD 0 kept the oldest");
	cr_assert_eq(stats(&w).faults_dropped, 1);
	cr_assert(rd32(&w, R_FECTL) & (1u << 30), "FECTL.IP (masked)");

	/* F clear but PFO still set: still dropped. */
	frcd_clear(&w, 0);
	cr_assert(!frcd_f(&w, 0), "F is write-1-to-clear");
	fault_at(&w, 5);
	cr_assert(!frcd_f(&w, 0), "recorded while PFO was set");
	cr_assert_eq(stats(&w).faults_dropped, 2);

	/* PFO cleared: recording resumes at index 0. */
	vtd_model_write32(w.m, R_FSTS, FS_PFO);
	fsts_expect(&w, FS_PPF, "PFO is write-1-to-clear, PPF stays");
	fault_at(&w, 6);
	frcd_expect(&w, 0, SID, 0x06, false, NOPASID, fault_iova(6),
		    "recorded at the wrapped index");
	fsts_expect(&w, FS_PPF, "FRI unchanged while PPF was set");

	/* Clear everything: PPF drops; the next fault (index 1) sets FRI. */
	for (i = 0; i < 4; i++)
		frcd_clear(&w, i);
	fsts_expect(&w, 0, "every F clear");
	fault_at(&w, 7);
	frcd_expect(&w, 1, SID, 0x06, false, NOPASID, fault_iova(7),
		    "index 1");
	fsts_expect(&w, FS_PPF | 1u << 8, "FRI 1");
	cr_assert_eq(stats(&w).faults_recorded, 6);
	world_free(&w);
}

Test(frcd, fri_wraps_with_the_index)
{
	struct world w;
	unsigned int i;

	world_new(&w, W_LEG4, 3, 0);
	for (i = 0; i < 3; i++) {
		fault_at(&w, i);
		frcd_clear(&w, i);
	}
	/* Index wrapped to 0; PPF was clear: FRI = 0 again. */
	fault_at(&w, 3);
	fsts_expect(&w, FS_PPF, "FRI 0 after wrap");
	frcd_expect(&w, 0, SID, 0x06, false, NOPASID, fault_iova(3), "wrap");
	fault_at(&w, 4);
	frcd_clear(&w, 0);
	/* FRI stays where PPF was set; FRCD 1 still pending. */
	fsts_expect(&w, FS_PPF, "PPF from FRCD 1");
	frcd_clear(&w, 1);
	fault_at(&w, 5);
	fsts_expect(&w, FS_PPF | 2u << 8, "FRI 2");
	world_free(&w);
}

Test(frcd, index_restarts_when_te_and_ire_are_both_off)
{
	struct world w;

	world_new(&w, W_LEG4, 4, 0);
	fault_at(&w, 0);
	fault_at(&w, 1);
	frcd_clear(&w, 0);
	frcd_clear(&w, 1);
	gcmd(&w, 0, G_TE);
	gcmd(&w, G_TE, 0);
	fault_at(&w, 2);
	frcd_expect(&w, 0, SID, 0x06, false, NOPASID, fault_iova(2),
		    "index back at 0");
	cr_assert(!frcd_f(&w, 2));
	world_free(&w);
}

static void
fpd_expect(struct world *w, uint16_t sid, uint32_t pasid, const char *what)
{
	struct uiommu_walk_result res;

	cr_assert_eq(xlate(w, sid, pasid, IOVA, UIOMMU_ACCESS_WRITE, &res),
		     -EFAULT, "%s: translated", what);
	fsts_expect(w, 0, what);
	cr_assert(!frcd_f(w, 0), "%s: recorded", what);
	cr_assert_eq(stats(w).faults_suppressed, 1, "%s", what);
	cr_assert_eq(stats(w).faults_recorded, 0, "%s", what);
}

Test(frcd, fpd_in_legacy_context_suppresses_even_when_not_present)
{
	struct world w;

	world_new(&w, W_LEG4, 0, 0);
	ctx_entry(&w, SID)[0] = (ctx_entry(&w, SID)[0] & ~0x1ull) | B(1);
	fpd_expect(&w, SID, NOPASID, "legacy context FPD, P clear");
	world_free(&w);

	world_new(&w, W_LEG4, 0, 0);
	ctx_entry(&w, SID)[0] |= B(1);
	*sl_entry(&w, 3) = 0;
	fpd_expect(&w, SID, NOPASID, "legacy context FPD, SL fault");
	world_free(&w);
}

Test(frcd, fpd_in_scalable_context_pasid_dir_and_entry_suppresses)
{
	struct world w;

	world_new(&w, W_SM_SL, 0, 0);
	ctx_entry(&w, SID)[0] |= B(1);
	*sl_entry(&w, 3) = 0;
	fpd_expect(&w, SID, NOPASID, "SM context FPD");
	world_free(&w);

	world_new(&w, W_SM_SL, 0, 0);
	w.pdir[1] = (w.pdir[1] & ~0x1ull) | B(1);
	fpd_expect(&w, SID, PASID_A, "PASID dir FPD, P clear");
	world_free(&w);

	world_new(&w, W_SM_FL, 0, 0);
	pasid_entry(&w, PASID_A)[0] |= B(1);
	*fl_entry(&w, 3) &= ~0x2ull;
	fpd_expect(&w, SID, PASID_A, "PASID entry FPD, FL write fault");
	world_free(&w);

	/* FPD of one PASID's entry leaves the others' faults recorded. */
	world_new(&w, W_SM_SL, 0, 0);
	pasid_entry(&w, PASID_A)[0] |= B(1);
	*sl_entry(&w, 3) = 0;
	cr_assert_eq(xlate(&w, SID, NOPASID, IOVA, UIOMMU_ACCESS_READ,
			   &(struct uiommu_walk_result){ 0 }), -EFAULT);
	frcd_expect(&w, 0, SID, 0x79, false, NOPASID, IOVA,
		    "RID_PASID entry without FPD");
	world_free(&w);
}

Test(frcd, fault_before_the_fpd_entry_is_recorded)
{
	struct world w;

	/* The root entry is not present: the context entry's FPD is never
	 * read. */
	world_new(&w, W_LEG4, 0, 0);
	ctx_entry(&w, SID)[0] |= B(1);
	w.root[BUS * 2] = 0;
	cr_assert_eq(xlate(&w, SID, NOPASID, IOVA, UIOMMU_ACCESS_READ,
			   &(struct uiommu_walk_result){ 0 }), -EFAULT);
	frcd_expect(&w, 0, SID, 0x01, false, NOPASID, IOVA, "root NP");
	world_free(&w);
}

/* ============================================================== qi ===== */

TestSuite(qi, .init = suite_init, .fini = suite_fini, .timeout = 30);

/* IQE with @iqei, IQH at descriptor @at (bytes), nothing after it run. */
static void
iqe_expect(struct world *w, uint32_t iqei, uint32_t at, const char *what)
{
	cr_assert(rd32(w, R_FSTS) & FS_IQE, "%s: FSTS.IQE clear", what);
	cr_assert_eq(bits(rd64(w, R_IQERCD), 3, 0), iqei, "%s: IQEI %" PRIu64
		     ", want %u", what, bits(rd64(w, R_IQERCD), 3, 0), iqei);
	cr_assert_eq(rd64(w, R_IQH), at, "%s: IQH %#" PRIx64 ", want %#x",
		     what, rd64(w, R_IQH), at);
}

/*
 * Two good waits, the bad descriptor, a wait after it: the queue stops at
 * the bad one with @iqei; the wait after it does not run, not even on a
 * later IQT write, until software clears IQE; then it runs from IQH.
 */
static void
bad_descriptor_case(enum wmode mode, bool wide, const uint64_t bad[4],
		    uint32_t iqei, const char *what)
{
	struct world w;
	uint32_t at;

	world_new(&w, mode, 0, 0);
	qi_on(&w, wide);
	w.status[0] = w.status[1] = w.status[2] = 0;
	qi_put(&w, d_wait(false, true, false, 1), pa(&w.status[0]));
	qi_put(&w, d_wait(false, true, false, 2), pa(&w.status[1]));
	at = w.iq_tail;
	qi_put4(&w, bad[0], bad[1], bad[2], bad[3]);
	qi_put(&w, d_wait(false, true, false, 3), pa(&w.status[2]));
	qi_kick(&w);
	cr_assert_eq(w.status[0], 1, "%s: wait before the bad one", what);
	cr_assert_eq(w.status[1], 2, "%s: wait before the bad one", what);
	iqe_expect(&w, iqei, at, what);
	cr_assert_eq(w.status[2], 0, "%s: ran past the bad descriptor",
		     what);
	cr_assert_eq(stats(&w).desc_errors, 1, "%s", what);

	/* Still stopped: another IQT write fetches nothing. */
	qi_kick(&w);
	cr_assert_eq(w.status[2], 0, "%s: ran with IQE set", what);
	cr_assert_eq(rd64(&w, R_IQH), at, "%s", what);

	/* Software replaces the bad descriptor, clears IQE, writes IQT. */
	w.iq[at / 8] = d_wait(false, false, false, 0);
	w.iq[at / 8 + 1] = 0;
	if (wide)
		w.iq[at / 8 + 2] = w.iq[at / 8 + 3] = 0;
	vtd_model_write32(w.m, R_FSTS, FS_IQE);
	cr_assert_eq(rd32(&w, R_FSTS) & FS_IQE, 0, "%s: IQE is RW1C", what);
	cr_assert_eq(w.status[2], 0, "%s: resumed before the IQT write",
		     what);
	qi_kick(&w);
	cr_assert_eq(w.status[2], 3, "%s: did not resume", what);
	qi_ok(&w, what);
	world_free(&w);
}

Test(qi, invalid_descriptors_stop_the_queue_at_iqh_until_iqe_clears)
{
	const struct {
		const char *what;
		enum wmode mode;
		bool wide;
		uint64_t d[4];
		uint32_t iqei;
	} c[] = {
		{ "type 0", W_LEG4, false, { 0, 0 }, 3 },
		{ "type 10", W_LEG4, false, { 0xa, 0 }, 3 },
		{ "type with [11:9] set", W_LEG4, false,
		  { d_iotlb(1, 0) | B(10), 0 }, 3 },
		{ "PASID-cache on a legacy-only unit", W_LEG_NOSM, false,
		  { d_pc(0, 1, 0), 0 }, 3 },
		{ "IOTLB reserved bit 8", W_LEG4, false,
		  { d_iotlb(1, 0) | B(8), 0 }, 4 },
		{ "IOTLB AM > MAMV", W_LEG4, false, { d_iotlb(3, 1), 19 }, 4 },
		{ "IEC IM > MHMV", W_LEG4, false, { d_iec(true, 16, 0), 0 },
		  4 },
		{ "CC G 0", W_LEG4, false, { d_cc(0, 0, 0, 0), 0 }, 4 },
		{ "wait status unreachable", W_LEG4, false,
		  { d_wait(false, true, false, 9), BAD_ADDR }, 2 },
		{ "256-bit word 2", W_SM_SL, true,
		  { d_iotlb(1, 0), 0, 1, 0 }, 4 },
		{ "PASID-IOTLB G 0", W_SM_SL, true, { d_piotlb(0, 1, 1), 0 },
		  4 },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(c); i++)
		bad_descriptor_case(c[i].mode, c[i].wide, c[i].d, c[i].iqei,
				    c[i].what);
}

Test(qi, tail_beyond_the_queue_is_iqei_1)
{
	struct world w;

	world_new(&w, W_LEG4, 0, 0);
	qi_on(&w, false);
	/* QS 0: one 4 KiB page; IQT 0x1000 is past its end. */
	vtd_model_write64(w.m, R_IQT, 0x1000);
	iqe_expect(&w, 1, 0, "IQT 0x1000, queue 0x1000 bytes");
	/* Fixed tail, IQE cleared: runs. */
	vtd_model_write32(w.m, R_FSTS, FS_IQE);
	cr_assert(qi_wait(&w, 0, 0x55), "after recovery");
	qi_ok(&w, "after recovery");
	world_free(&w);
}

Test(qi, tail_misaligned_for_256_bit_descriptors_is_iqei_6)
{
	struct world w;

	world_new(&w, W_SM_SL, 0, 0);
	qi_on(&w, true);
	vtd_model_write64(w.m, R_IQT, 0x10);
	iqe_expect(&w, 6, 0, "DW 1, IQT[4] set");
	world_free(&w);
}

Test(qi, narrow_descriptors_in_scalable_mode_are_iqei_5)
{
	struct world w;

	world_new(&w, W_SM_SL, 0, 0);
	qi_on(&w, false);
	qi_submit(&w, d_wait(false, false, false, 0), 0);
	iqe_expect(&w, 5, 0, "DW 0 with RTADDR.TTM 01");
	world_free(&w);

	/* The same queue in legacy mode runs. */
	world_new(&w, W_LEG4, 0, 0);
	qi_on(&w, false);
	cr_assert(qi_wait(&w, 0, 1));
	qi_ok(&w, "DW 0, TTM 00");
	world_free(&w);
}

Test(qi, unreachable_queue_is_iqei_2)
{
	struct world w;

	world_new(&w, W_LEG4, 0, 0);
	vtd_model_write64(w.m, R_IQA, BAD_ADDR);
	gcmd(&w, G_QIE, 0);
	vtd_model_write64(w.m, R_IQT, 0x10);
	iqe_expect(&w, 2, 0, "IQA outside memory");
	world_free(&w);
}

Test(qi, queue_wraps_and_iqh_follows)
{
	struct world w;
	unsigned int i;

	world_new(&w, W_LEG4, 0, 0);
	qi_on(&w, false);
	/* 256 descriptors per page: go around twice. */
	for (i = 0; i < 600; i++)
		cr_assert(qi_wait(&w, i % 4, i + 1), "wait %u", i);
	qi_ok(&w, "after wrapping");
	cr_assert_eq(stats(&w).descs[5], 600);
	world_free(&w);
}

Test(qi, wait_writes_status_and_sets_iwc)
{
	struct world w;

	world_new(&w, W_SM_SL, 0, 0);
	qi_on(&w, true);
	w.status[0] = 0;
	w.status[1] = 0xdead;
	qi_submit(&w, d_wait(false, true, false, 0x600dcafe),
		  pa(&w.status[0]));
	cr_assert_eq(w.status[0], 0x600dcafe, "SW: STATUS DATA at ADDR");
	cr_assert_eq(w.status[1], 0xdead, "32 bits written, no more");
	cr_assert_eq(rd32(&w, R_ICS), 0, "IF clear: no IWC");

	/* IF: ICS.IWC, and IECTL.IP while masked (reset state). */
	qi_submit(&w, d_wait(true, false, false, 0), 0);
	cr_assert_eq(rd32(&w, R_ICS), 1, "IF: ICS.IWC");
	cr_assert_eq(rd32(&w, R_IECTL), 3u << 30, "IECTL.IM | IP");
	vtd_model_write32(w.m, R_ICS, 1);
	cr_assert_eq(rd32(&w, R_ICS), 0, "IWC is RW1C");
	cr_assert_eq(rd32(&w, R_IECTL), 1u << 31, "IP cleared with IWC");

	/* FN and both at once. */
	w.status[0] = 0;
	qi_submit(&w, d_wait(true, true, true, 7), pa(&w.status[0]));
	cr_assert_eq(w.status[0], 7);
	cr_assert_eq(rd32(&w, R_ICS), 1);
	qi_ok(&w, "waits");
	world_free(&w);
}

/* Invalidations make the next wait a synchronising one; a wait on its
 * own does not wait. */
Test(qi, wait_waits_only_after_invalidations)
{
	struct world w;

	world_new(&w, W_SM_SL, 0, 0);
	qi_on(&w, true);
	cr_assert(qi_wait(&w, 0, 1));
	cr_assert_eq(stats(&w).waits_waited, 0, "nothing to wait for");
	qi_put(&w, d_cc(1, 0, 0, 0), 0);
	qi_put(&w, d_pc(3, 0, 0), 0);
	qi_put(&w, d_devtlb(SID, 0, 0), 0x5000);
	qi_put(&w, d_pdevtlb(SID, PASID_A, 0, 0), 0x5000);
	qi_put(&w, d_iotlb(2, DID_A), 0);
	qi_put(&w, d_piotlb(2, DID_A, PASID_A), 0);
	qi_put(&w, d_iec(false, 0, 0), 0);
	qi_kick(&w);
	cr_assert_eq(stats(&w).waits_waited, 0, "no wait yet");
	cr_assert(qi_wait(&w, 1, 2));
	cr_assert_eq(stats(&w).waits_waited, 1, "one grace period");
	cr_assert(qi_wait(&w, 2, 3));
	cr_assert_eq(stats(&w).waits_waited, 1, "and only one");
	cr_assert_eq(stats(&w).descs[1], 1, "CC counted");
	cr_assert_eq(stats(&w).descs[3], 1, "devTLB counted");
	cr_assert_eq(stats(&w).descs[7], 1, "PC counted");
	cr_assert_eq(stats(&w).descs[8], 1, "PASID devTLB counted");
	qi_ok(&w, "all valid");
	world_free(&w);
}

Test(qi, disabled_queue_fetches_nothing)
{
	struct world w;

	world_new(&w, W_LEG4, 0, 0);
	qi_on(&w, false);
	gcmd(&w, 0, G_QIE);
	w.status[0] = 0;
	qi_submit(&w, d_wait(false, true, false, 5), pa(&w.status[0]));
	cr_assert_eq(w.status[0], 0, "QIE clear");
	cr_assert_eq(rd64(&w, R_IQH), 0);
	world_free(&w);
}

/* ============================================================ iotlb ===== */

/*
 * A minimal backend whose translate is the model's walk and whose IOTLB is
 * the one the model's QI reaches: entries filled from hand-built tables,
 * invalidated by hand-built descriptors. attach only remembers the core's
 * tag for the domain; the test writes it as the DID.
 */
struct tb_hw {
	struct vtd_model *m;
	uint32_t tag;
};

static int
tb_hw_init(struct uiommu_hw *h, const char *args,
	   struct uiommu_hw_caps *caps)
{
	struct tb_hw *t = uiommu_hw_priv(h);

	RTE_SET_USED(args);
	t->m = vtd_model_create(h, NULL, SOCKET_ID_ANY);
	if (t->m == NULL)
		return -rte_errno;
	*caps = (struct uiommu_hw_caps){
		.pgsize_bitmap = RTE_PGSIZE_4K | RTE_PGSIZE_2M | RTE_PGSIZE_1G,
		.ias = 48, .oas = 48, .pasid_bits = 20, .stages = 0x3,
		.tlb_tag_pasid = true, .tag_bits = 16,
		.s1_fmt = UIOMMU_IOPT_VTD_FL, .s2_fmt = UIOMMU_IOPT_VTD_SL,
	};
	return 0;
}

static void
tb_hw_fini(struct uiommu_hw *h)
{
	struct tb_hw *t = uiommu_hw_priv(h);

	vtd_model_destroy(t->m);
}

static int
tb_attach(struct uiommu_dev *dev, uint32_t pasid, struct uiommu_domain *dom,
	  uint32_t tag)
{
	struct tb_hw *t = uiommu_hw_priv(uiommu_dev_hw(dev));

	RTE_SET_USED(pasid);
	RTE_SET_USED(dom);
	t->tag = tag;
	return 0;
}

static void
tb_detach(struct uiommu_dev *dev, uint32_t pasid)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(pasid);
}

static int
tb_translate(struct uiommu_hw *h, uint32_t sid, uint32_t pasid,
	     uint64_t iova, uint32_t access, struct uiommu_walk_result *res)
{
	struct tb_hw *t = uiommu_hw_priv(h);

	/* res says success or fault either way. */
	vtd_model_translate(t->m, (uint16_t)sid, pasid, iova, access, res);
	return 0;
}

/* Invalidations the core itself issues (attach/detach) go straight to the
 * IOTLB; the tests issue theirs through the model's queue. */
static int
tb_inv(struct uiommu_hw *h, const struct uiommu_inv *inv)
{
	uiommu_iotlb_inv_post(h, inv);
	return 0;
}

static int
tb_sync(struct uiommu_hw *h)
{
	uiommu_iotlb_sync(h);
	return 0;
}

static const struct uiommu_hw_ops tb_ops = {
	.name = "test_vtd_model",
	.hw_priv_size = sizeof(struct tb_hw),
	.hw_init = tb_hw_init,
	.hw_fini = tb_hw_fini,
	.attach = tb_attach,
	.detach = tb_detach,
	.translate = tb_translate,
	.inv = tb_inv,
	.sync = tb_sync,
};

UIOMMU_REGISTER_HW(tb_ops)

static struct uiommu_ctx *tctx;
static struct uiommu_hw *thw;
static struct uiommu_port *tport;
static struct world tw;
static uint32_t tag;

/* Two more pages mapped next to IOVA: IOVA + 0x1000 .. + 0x4000. */
#define PAGES		5u

static void
tlb_map(uint64_t base)
{
	unsigned int i;

	for (i = 0; i < PAGES; i++)
		tw.sl[3][idx(IOVA, 1) + i] = (base + i * SZ_4K) | 0x3;
}

static void
iotlb_init(void)
{
	struct uiommu_dev_params dp = { .pasid_bits = 20 };
	struct uiommu_domain_params dpp = { .fmt = UIOMMU_IOPT_DEFAULT };
	struct uiommu_dev *dev;
	struct uiommu_domain *dom;
	struct tb_hw *t;

	suite_init();
	tctx = uiommu_ctx_create(NULL);
	cr_assert_not_null(tctx);
	cr_assert_eq(uiommu_lcore_online(tctx), 0);
	thw = uiommu_hw_create(tctx, "test_vtd_model", NULL);
	cr_assert_not_null(thw, "rte_errno %d", rte_errno);
	dev = uiommu_dev_create(thw, SID, &dp);
	cr_assert_not_null(dev);
	dom = uiommu_domain_create(thw, UIOMMU_DOMAIN_PAGING, &dpp);
	cr_assert_not_null(dom);
	tport = uiommu_attach(dev, dom);
	cr_assert_not_null(tport);
	t = uiommu_hw_priv(thw);
	tag = t->tag;
	cr_assert_neq(tag, 0);

	/* The scalable world on the backend's model, RID_PASID's DID the
	 * core's tag. */
	world_new(&tw, W_SM_SL, 0, 0);
	vtd_model_destroy(tw.m);
	tw.m = t->m;
	pasid_entry(&tw, 0)[1] = tag;
	tlb_map(OUT);
	vtd_model_write64(tw.m, R_RTADDR, pa(tw.root) | 1u << 10);
	gcmd(&tw, G_SRTP, 0);
	gcmd(&tw, G_TE, 0);
	qi_on(&tw, true);
}

static void
iotlb_fini(void)
{
	uiommu_ctx_destroy(tctx);
	tw.m = NULL;
	world_free(&tw);
	test_eal_cleanup();
}

TestSuite(iotlb, .init = iotlb_init, .fini = iotlb_fini, .timeout = 30);

static uint64_t
port_xlate(uint64_t iova)
{
	void *va = uiommu_translate(tport, iova, 1, UIOMMU_ACCESS_READ);

	cr_assert_not_null(va, "translate %#" PRIx64 ": rte_errno %d", iova,
			   rte_errno);
	return (uint64_t)(uintptr_t)va;
}

/* Fill the IOTLB with page @i of PAGES (from OUT) for each i, then point
 * the tables elsewhere (OUT2): a hit still gives OUT, a walk gives OUT2. */
#define OUT2	UINT64_C(0x0000000099990000)

static void
cache_all(void)
{
	unsigned int i;

	/* Start empty: a page an earlier step dropped was refilled from
	 * OUT2. */
	qi_put(&tw, d_iotlb(1, 0), 0);
	cr_assert(qi_wait(&tw, 1, 0x5a));
	tlb_map(OUT);
	for (i = 0; i < PAGES; i++)
		cr_assert_eq(port_xlate(IOVA + i * SZ_4K), OUT + i * SZ_4K,
			     "fill page %u", i);
	tlb_map(OUT2);
	for (i = 0; i < PAGES; i++)
		cr_assert_eq(port_xlate(IOVA + i * SZ_4K), OUT + i * SZ_4K,
			     "page %u was not cached", i);
}

/* Which of the PAGES pages lost their entry (bit i: page i walked). */
static unsigned int
dropped(void)
{
	unsigned int i, mask = 0;

	for (i = 0; i < PAGES; i++) {
		uint64_t got = port_xlate(IOVA + i * SZ_4K);

		if (got == OUT2 + i * SZ_4K)
			mask |= 1u << i;
		else
			cr_assert_eq(got, OUT + i * SZ_4K, "page %u", i);
	}
	return mask;
}

/* Submit @w0/@w1 and a wait; return the pages it dropped. */
static unsigned int
inv_dropped(uint64_t w0, uint64_t w1)
{
	cache_all();
	qi_put(&tw, w0, w1);
	cr_assert(qi_wait(&tw, 0, 0xabc));
	qi_ok(&tw, "invalidation");
	return dropped();
}

#define ALL	((1u << PAGES) - 1)

Test(iotlb, walk_fills_under_the_did_and_hits)
{
	struct uiommu_lcore_stats st;

	cache_all();
	cr_assert_eq(uiommu_hw_stats(thw, rte_lcore_id(), &st), 0);
	cr_assert_eq(st.walks, PAGES, "one walk per page");
}

Test(iotlb, global_invalidation_drops_everything)
{
	cr_assert_eq(inv_dropped(d_iotlb(1, 0), 0), ALL);
}

Test(iotlb, domain_invalidation_drops_its_did_only)
{
	cr_assert_eq(inv_dropped(d_iotlb(2, tag + 1), 0), 0, "other DID");
	cr_assert_eq(inv_dropped(d_iotlb(2, tag), 0), ALL, "this DID");
}

Test(iotlb, page_invalidation_honours_address_and_mask)
{
	cr_assert_eq(inv_dropped(d_iotlb(3, tag), d_addr(IOVA + SZ_4K, 0, 0)),
		     1u << 1, "AM 0: page 1");
	cr_assert_eq(inv_dropped(d_iotlb(3, tag + 1),
				 d_addr(IOVA + SZ_4K, 0, 0)), 0,
		     "AM 0: other DID");
	/* Page 0 is IOVA = 0x...3000. AM 2 at 0x...0000 covers
	 * 0x...0000-0x...3fff: page 0 only of ours; AM 1 at page 1
	 * (0x...4000) covers pages 1 and 2. */
	cr_assert_eq(inv_dropped(d_iotlb(3, tag),
				 d_addr(IOVA & ~UINT64_C(0x3fff), 2, 0)),
		     1u << 0, "AM 2");
	cr_assert_eq(inv_dropped(d_iotlb(3, tag), d_addr(IOVA + SZ_4K, 1, 1)),
		     (1u << 1) | (1u << 2), "AM 1, IH");
	cr_assert_eq(inv_dropped(d_iotlb(3, tag),
				 d_addr(IOVA & ~UINT64_C(0x1fffff), 9, 0)),
		     ALL, "AM 9: the 2 MiB around them");
	cr_assert_eq(inv_dropped(d_iotlb(3, tag),
				 d_addr(IOVA + 0x200000, 0, 0)), 0,
		     "a page 2 MiB away");
}

/* PASID-based invalidations are executed DID-wide (vtd_model.h): the
 * PASID field does not narrow them, the DID does. */
Test(iotlb, pasid_based_invalidation_drops_by_did)
{
	cr_assert_eq(inv_dropped(d_piotlb(2, tag, 0), 0), ALL,
		     "PASID-selective, RID_PASID");
	cr_assert_eq(inv_dropped(d_piotlb(2, tag + 1, 0), 0), 0,
		     "PASID-selective, other DID");
	cr_assert_eq(inv_dropped(d_piotlb(3, tag, 0),
				 d_addr(IOVA + 3 * SZ_4K, 0, 0)), 1u << 3,
		     "page-selective within PASID");
	cr_assert_eq(inv_dropped(d_piotlb(3, tag + 1, 0),
				 d_addr(IOVA + 3 * SZ_4K, 0, 0)), 0,
		     "page-selective, other DID");
}

Test(iotlb, cache_invalidations_leave_the_iotlb_alone)
{
	cr_assert_eq(inv_dropped(d_cc(1, 0, 0, 0), 0), 0, "context-cache");
	cr_assert_eq(inv_dropped(d_pc(3, 0, 0), 0), 0, "PASID-cache");
	cr_assert_eq(inv_dropped(d_iec(false, 0, 0), 0), 0, "IEC");
}

/* The invalidation reaches the IOTLB at the wait that follows it, not
 * before: the lcore applies posted invalidations when the wait's grace
 * period makes it. */
Test(iotlb, invalidation_completes_at_the_wait)
{
	cache_all();
	qi_submit(&tw, d_iotlb(2, tag), 0);
	qi_ok(&tw, "DSI alone");
	cr_assert_eq(dropped(), 0, "dropped before the wait");
	cr_assert(qi_wait(&tw, 0, 1));
	cr_assert_eq(dropped(), ALL, "not dropped by the wait");
}

/* ============================================================== ir ===== */

TestSuite(ir, .init = suite_init, .fini = suite_fini, .timeout = 30);

#define IR_S		7u	/* 2^(7 + 1) = 256 entries */
#define IR_ENTRIES	256u
#define HANDLE		0x21u
#define IR_SID		0x0310u		/* bus 3, dev 2, fn 0 */

/* Remappable-format MSI address for @handle (5.1.2.2). */
static uint32_t
msi_addr(uint32_t handle, bool shv)
{
	return 0xfee00000u | (handle & 0x7fff) << 5 | 1u << 4 |
	       (shv ? 1u << 3 : 0) | (handle >> 15 & 1) << 2;
}

/* IRTE @i: present, x2APIC dest 0x12345678, vector 0x40 + i. */
static void
irte_set(struct world *w, unsigned int i, uint64_t lo_extra, uint64_t hi)
{
	w->irt[i * 2] = UINT64_C(0x12345678) << 32 | (uint64_t)(0x40 + i)
			<< 16 | lo_extra | 0x1;
	w->irt[i * 2 + 1] = hi;
}

/* IR on: the table at w->irt, @eime, CFI @cfi. QI on (256-bit). */
static void
ir_world(struct world *w, bool eime, bool cfi)
{
	memset(w, 0, sizeof(*w));
	w->m = model_new(true, 0, 0);
	w->irt = page_new();
	w->status = (uint32_t *)page_new();
	vtd_model_write64(w->m, R_IRTA, pa(w->irt) | (eime ? B(11) : 0) |
			  IR_S);
	gcmd(w, G_SIRTP, 0);
	cr_assert(rd32(w, R_GSTS) & G_SIRTP, "GSTS.IRTPS");
	gcmd(w, G_IRE | (cfi ? G_CFI : 0), 0);
	cr_assert(rd32(w, R_GSTS) & G_IRE, "GSTS.IRES");
	qi_on(w, true);
}

static int
msi(struct world *w, uint16_t sid, uint32_t addr, uint32_t data,
    struct uiommu_vtd_irq *irq)
{
	memset(irq, 0, sizeof(*irq));
	return vtd_model_msi(w->m, sid, addr, data, irq);
}

static uint8_t
msi_vector(struct world *w, uint32_t handle)
{
	struct uiommu_vtd_irq irq;

	cr_assert_eq(msi(w, IR_SID, msi_addr(handle, false), 0, &irq), 0,
		     "handle %#x blocked (FSTS %#x)", handle, rd32(w, R_FSTS));
	cr_assert(irq.remapped);
	return irq.vector;
}

Test(ir, remapped_interrupt_decodes_the_irte)
{
	struct world w;
	struct uiommu_vtd_irq irq;

	ir_world(&w, true, false);
	/* DLM 1, TM level, DM logical. */
	irte_set(&w, HANDLE, 1u << 5 | B(4) | B(2), 0);
	cr_assert_eq(msi(&w, IR_SID, msi_addr(HANDLE, false), 0, &irq), 0);
	cr_assert(irq.remapped);
	cr_assert_eq(irq.index, HANDLE);
	cr_assert_eq(irq.vector, 0x40 + HANDLE);
	cr_assert_eq(irq.dest_id, 0x12345678, "x2APIC: DST [63:32]");
	cr_assert(irq.dest_logical);
	cr_assert(irq.level);
	cr_assert_eq(irq.delivery_mode, 1);

	/* SHV: handle + subhandle. */
	irte_set(&w, HANDLE + 5, 0, 0);
	cr_assert_eq(msi(&w, IR_SID, msi_addr(HANDLE, true), 5, &irq), 0);
	cr_assert_eq(irq.index, HANDLE + 5);
	cr_assert_eq(irq.vector, 0x40 + HANDLE + 5);
	/* Without SHV the data is ignored. */
	cr_assert_eq(msi(&w, IR_SID, msi_addr(HANDLE, false), 5, &irq), 0);
	cr_assert_eq(irq.index, HANDLE);
	fsts_expect(&w, 0, "no fault");
	world_free(&w);
}

Test(ir, xapic_mode_takes_dst_15_8)
{
	struct world w;
	struct uiommu_vtd_irq irq;

	ir_world(&w, false, false);
	w.irt[HANDLE * 2] = UINT64_C(0xab) << 40 | UINT64_C(0x77) << 16 | 0x1;
	cr_assert_eq(msi(&w, IR_SID, msi_addr(HANDLE, false), 0, &irq), 0);
	cr_assert_eq(irq.dest_id, 0xab);
	cr_assert_eq(irq.vector, 0x77);
	world_free(&w);
}

struct ircase {
	const char *what;
	uint8_t fr;
	uint32_t index;		/* FI[63:48]; ignored for 0x20, 0x25 */
	uint32_t addr;		/* 0: msi_addr(HANDLE, false) */
	uint32_t data;
	uint64_t lo, hi;	/* IRTE HANDLE: lo 0 = not present */
	bool xapic;
	bool bad_table;
	uint16_t sid;		/* 0: IR_SID */
};

#define IRTE_OK		(UINT64_C(0x12345678) << 32 | 0x40ull << 16 | 1)

static const struct ircase ir_cases[] = {
	{ "data [31:16] set", 0x20, 0, .data = 1u << 16, .lo = IRTE_OK },
	{ "handle 256 of 256 entries", 0x21, 256,
	  .addr = 0xfee00000u | 256u << 5 | 1u << 4, .lo = IRTE_OK },
	{ "handle[15] (address bit 2)", 0x21, 0x8000 + HANDLE,
	  .addr = 0xfee00000u | HANDLE << 5 | 1u << 4 | 1u << 2,
	  .lo = IRTE_OK },
	{ "handle 250 + subhandle 10", 0x21, 260,
	  .addr = 0xfee00000u | 250u << 5 | 1u << 4 | 1u << 3, .data = 10,
	  .lo = IRTE_OK },
	{ "IRTE not present", 0x22, HANDLE, .lo = 0 },
	{ "IRT unreachable", 0x23, HANDLE, .lo = IRTE_OK, .bad_table = true },
	{ "IRTE bit 12", 0x24, HANDLE, .lo = IRTE_OK | B(12) },
	{ "IRTE bit 24", 0x24, HANDLE, .lo = IRTE_OK | B(24) },
	{ "IRTE IM (posted) without CAP.PI", 0x24, HANDLE,
	  .lo = IRTE_OK | B(15) },
	{ "IRTE bit 84", 0x24, HANDLE, .lo = IRTE_OK, .hi = B(20) },
	{ "IRTE SVT 3", 0x24, HANDLE, .lo = IRTE_OK, .hi = 3u << 18 },
	{ "xAPIC: DST[7:0] set", 0x24, HANDLE,
	  .lo = IRTE_OK, .xapic = true },
	{ "compatibility format, CFI clear", 0x25, 0,
	  .addr = 0xfee00000u | 0x12u << 12, .lo = IRTE_OK },
	{ "SVT 1 SQ 0: other function", 0x26, HANDLE, .lo = IRTE_OK,
	  .hi = 1u << 18 | IR_SID, .sid = IR_SID | 1 },
	{ "SVT 1 SQ 1: bit 0 differs", 0x26, HANDLE, .lo = IRTE_OK,
	  .hi = 1u << 18 | 1u << 16 | IR_SID, .sid = IR_SID | 1 },
	{ "SVT 1 SQ 3: device differs", 0x26, HANDLE, .lo = IRTE_OK,
	  .hi = 1u << 18 | 3u << 16 | IR_SID, .sid = IR_SID + 8 },
	{ "SVT 2: bus below the range", 0x26, HANDLE, .lo = IRTE_OK,
	  .hi = 2u << 18 | 0x0405, .sid = 0x0300 },
	{ "SVT 2: bus above the range", 0x26, HANDLE, .lo = IRTE_OK,
	  .hi = 2u << 18 | 0x0405, .sid = 0x0600 },
};

Test(ir, every_ir_fault_reason_is_recorded_in_frcd)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(ir_cases); i++) {
		const struct ircase *c = &ir_cases[i];
		uint16_t sid = c->sid != 0 ? c->sid : IR_SID;
		uint32_t addr = c->addr != 0 ? c->addr :
				msi_addr(HANDLE, false);
		struct uiommu_vtd_irq irq;
		struct world w;
		uint64_t fi;

		ir_world(&w, !c->xapic, false);
		w.irt[HANDLE * 2] = c->lo;
		w.irt[HANDLE * 2 + 1] = c->hi;
		if (c->bad_table) {
			vtd_model_write64(w.m, R_IRTA, BAD_ADDR | B(11) |
					  IR_S);
			gcmd(&w, G_SIRTP, 0);
		}
		cr_assert_eq(msi(&w, sid, addr, c->data, &irq), -EPERM,
			     "%s: delivered", c->what);
		/* Interrupt requests are writes; FI[63:48] is the index
		 * where the request yielded one, [47:12] clear. */
		fi = (c->fr == 0x20 || c->fr == 0x25) ? 0 :
		     (uint64_t)c->index << 48;
		frcd_expect(&w, 0, sid, c->fr, true, NOPASID, fi, c->what);
		cr_assert(!frcd_f(&w, 1), "%s: a second record", c->what);
		fsts_expect(&w, FS_PPF, c->what);
		cr_assert_eq(stats(&w).msi_blocked, 1, "%s", c->what);
		world_free(&w);
	}
}

Test(ir, source_id_validation_passes_what_it_should)
{
	const struct {
		const char *what;
		uint64_t hi;
		uint16_t sid;
	} c[] = {
		{ "SVT 0", 0x0000, 0xffff },
		{ "SVT 1 SQ 0 exact", 1u << 18 | IR_SID, IR_SID },
		{ "SVT 1 SQ 1 ignores bit 2", 1u << 18 | 1u << 16 | IR_SID,
		  IR_SID | 4 },
		{ "SVT 1 SQ 2 ignores bits 2:1", 1u << 18 | 2u << 16 | IR_SID,
		  IR_SID | 6 },
		{ "SVT 1 SQ 3 ignores bits 2:0", 1u << 18 | 3u << 16 | IR_SID,
		  IR_SID | 7 },
		{ "SVT 2 first bus", 2u << 18 | 0x0405, 0x04ff },
		{ "SVT 2 last bus", 2u << 18 | 0x0405, 0x0500 },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(c); i++) {
		struct uiommu_vtd_irq irq;
		struct world w;

		ir_world(&w, true, false);
		irte_set(&w, HANDLE, 0, c[i].hi);
		cr_assert_eq(msi(&w, c[i].sid, msi_addr(HANDLE, false), 0,
				 &irq), 0, "%s: blocked (FSTS %#x)",
			     c[i].what, rd32(&w, R_FSTS));
		world_free(&w);
	}
}

Test(ir, fpd_in_irte_suppresses_the_record)
{
	struct world w;
	struct uiommu_vtd_irq irq;

	ir_world(&w, true, false);
	w.irt[HANDLE * 2] = B(1);		/* FPD, not present */
	cr_assert_eq(msi(&w, IR_SID, msi_addr(HANDLE, false), 0, &irq),
		     -EPERM);
	irte_set(&w, HANDLE + 1, B(1), 1u << 18 | 0xffff);	/* SID err */
	cr_assert_eq(msi(&w, IR_SID, msi_addr(HANDLE + 1, false), 0, &irq),
		     -EPERM);
	fsts_expect(&w, 0, "FPD");
	cr_assert_eq(stats(&w).faults_suppressed, 2);
	world_free(&w);
}

Test(ir, compatibility_format_follows_ire_cfis_and_eime)
{
	const uint32_t addr = 0xfee00000u | 0x5au << 12 | 1u << 2;
	const uint32_t data = 0x8000u | 1u << 8 | 0x31;
	struct uiommu_vtd_irq irq;
	struct world w;

	/* IR disabled: every MSI is compatibility format, even one in the
	 * remappable format. */
	memset(&w, 0, sizeof(w));
	w.m = model_new(true, 0, 0);
	cr_assert_eq(msi(&w, IR_SID, addr, data, &irq), 0);
	cr_assert(!irq.remapped);
	cr_assert_eq(irq.vector, 0x31);
	cr_assert_eq(irq.dest_id, 0x5a);
	cr_assert(irq.dest_logical);
	cr_assert(irq.level);
	cr_assert_eq(irq.delivery_mode, 1);
	cr_assert_eq(msi(&w, IR_SID, msi_addr(HANDLE, false), 0x31, &irq), 0);
	cr_assert(!irq.remapped);
	/* Not an interrupt address. */
	cr_assert_eq(msi(&w, IR_SID, 0xfed00000u, 0, &irq), -EINVAL);
	fsts_expect(&w, 0, "IR off");
	vtd_model_destroy(w.m);

	/* IRE, CFI on, xAPIC mode: passes. */
	ir_world(&w, false, true);
	cr_assert(rd32(&w, R_GSTS) & G_CFI, "GSTS.CFIS");
	cr_assert_eq(msi(&w, IR_SID, addr, data, &irq), 0);
	cr_assert(!irq.remapped);
	cr_assert_eq(irq.vector, 0x31);
	/* CFI turned off: blocked. */
	gcmd(&w, 0, G_CFI);
	cr_assert_eq(msi(&w, IR_SID, addr, data, &irq), -EPERM);
	frcd_expect(&w, 0, IR_SID, 0x25, true, NOPASID, 0, "CFI off");
	world_free(&w);

	/* IRE, CFI on, but x2APIC mode (IRTA.EIME): blocked. */
	ir_world(&w, true, true);
	cr_assert_eq(msi(&w, IR_SID, addr, data, &irq), -EPERM);
	frcd_expect(&w, 0, IR_SID, 0x25, true, NOPASID, 0, "EIME");
	world_free(&w);
}

/* A changed IRTE is ignored until an IEC invalidation naming it (and the
 * wait after it) has run. */
Test(ir, iec_keeps_the_old_irte_until_invalidated)
{
	struct world w;
	struct vtd_model_stats st;

	ir_world(&w, true, false);
	irte_set(&w, HANDLE, 0, 0);
	cr_assert_eq(msi_vector(&w, HANDLE), 0x40 + HANDLE, "first use");
	w.irt[HANDLE * 2] = (w.irt[HANDLE * 2] & ~0xff0000ull) | 0x90ull << 16;
	cr_assert_eq(msi_vector(&w, HANDLE), 0x40 + HANDLE, "cached");
	st = stats(&w);
	cr_assert_eq(st.iec_misses, 1);
	cr_assert_eq(st.iec_hits, 1);

	/* Index-selective, another index: still cached. */
	qi_submit(&w, d_iec(true, 0, HANDLE + 1), 0);
	cr_assert(qi_wait(&w, 0, 1));
	cr_assert_eq(msi_vector(&w, HANDLE), 0x40 + HANDLE, "other index");
	/* IM 1 around HANDLE + 1 (0x22): covers 0x22, 0x23, not 0x21. */
	qi_submit(&w, d_iec(true, 1, HANDLE + 1), 0);
	cr_assert(qi_wait(&w, 0, 2));
	cr_assert_eq(msi_vector(&w, HANDLE), 0x40 + HANDLE, "IM 1 at 0x22");
	/* IM 2 around 0x22: 0x20..0x23 includes 0x21. */
	qi_submit(&w, d_iec(true, 2, HANDLE + 1), 0);
	cr_assert(qi_wait(&w, 0, 3));
	cr_assert_eq(msi_vector(&w, HANDLE), 0x90, "IM 2 at 0x22");

	/* Global. */
	w.irt[HANDLE * 2] = (w.irt[HANDLE * 2] & ~0xff0000ull) | 0x91ull << 16;
	cr_assert_eq(msi_vector(&w, HANDLE), 0x90, "cached again");
	qi_submit(&w, d_iec(false, 0, 0), 0);
	cr_assert(qi_wait(&w, 0, 4));
	cr_assert_eq(msi_vector(&w, HANDLE), 0x91, "global");

	/* Index-selective of the index itself, IM 0. */
	w.irt[HANDLE * 2] = (w.irt[HANDLE * 2] & ~0xff0000ull) | 0x92ull << 16;
	qi_submit(&w, d_iec(true, 0, HANDLE), 0);
	cr_assert(qi_wait(&w, 0, 5));
	cr_assert_eq(msi_vector(&w, HANDLE), 0x92, "IM 0 at the index");
	world_free(&w);
}

/* Non-present entries are not cached: making one present takes effect
 * without an invalidation; making a cached one non-present does not. */
Test(ir, iec_caches_present_entries_only)
{
	struct world w;
	struct uiommu_vtd_irq irq;

	ir_world(&w, true, false);
	cr_assert_eq(msi(&w, IR_SID, msi_addr(HANDLE, false), 0, &irq),
		     -EPERM);
	irte_set(&w, HANDLE, 0, 0);
	cr_assert_eq(msi_vector(&w, HANDLE), 0x40 + HANDLE);
	w.irt[HANDLE * 2] = 0;
	cr_assert_eq(msi_vector(&w, HANDLE), 0x40 + HANDLE,
		     "stale present copy until invalidated");
	qi_submit(&w, d_iec(true, 0, HANDLE), 0);
	cr_assert(qi_wait(&w, 0, 1));
	cr_assert_eq(msi(&w, IR_SID, msi_addr(HANDLE, false), 0, &irq),
		     -EPERM);
	world_free(&w);
}

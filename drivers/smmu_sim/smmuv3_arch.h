/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arm SMMUv3 architectural encodings: the register page, queue pointers,
 * stream table entries, context descriptors, commands and event records.
 *
 * Names and bit ranges follow the Arm System Memory Management Unit
 * Architecture Specification, SMMU architecture version 3 (IHI 0070). Both
 * halves of smmu_sim use this file: the driver to build structures, the
 * device model to decode them, so what one writes is what real SMMUv3
 * hardware would read. Multi-word structures are arrays of little-endian
 * 64-bit words; a field "STE[165:160]" lives in word 2, bits [37:32], and is
 * written here as STE_2_S2T0SZ GENMASK_ULL(37, 32).
 */
#ifndef SMMUV3_ARCH_H
#define SMMUV3_ARCH_H

#include "uiommu_bits.h"

/* ------------------------------------------------------------ registers -- */

/* Offsets in the register page. Page 1 (at 64 KiB) holds the EVTQ and PRIQ
 * producer/consumer pair (the ARM_SMMU_OPT_PAGE0_REGS_ONLY quirk is not
 * modelled). */
#define SMMU_REG_PAGE_SIZE	0x10000u
#define SMMU_REG_SPACE		(2 * SMMU_REG_PAGE_SIZE)

#define SMMU_IDR0		0x00
#define SMMU_IDR1		0x04
#define SMMU_IDR2		0x08
#define SMMU_IDR3		0x0c
#define SMMU_IDR4		0x10
#define SMMU_IDR5		0x14
#define SMMU_IIDR		0x18
#define SMMU_AIDR		0x1c
#define SMMU_CR0		0x20
#define SMMU_CR0ACK		0x24
#define SMMU_CR1		0x28
#define SMMU_CR2		0x2c
#define SMMU_STATUSR		0x40
#define SMMU_GBPA		0x44
#define SMMU_IRQ_CTRL		0x50
#define SMMU_IRQ_CTRLACK	0x54
#define SMMU_GERROR		0x60
#define SMMU_GERRORN		0x64
#define SMMU_STRTAB_BASE	0x80	/* 64-bit */
#define SMMU_STRTAB_BASE_CFG	0x88
#define SMMU_CMDQ_BASE		0x90	/* 64-bit */
#define SMMU_CMDQ_PROD		0x98
#define SMMU_CMDQ_CONS		0x9c
#define SMMU_EVTQ_BASE		0xa0	/* 64-bit */
#define SMMU_EVTQ_PROD		(SMMU_REG_PAGE_SIZE + 0xa8)
#define SMMU_EVTQ_CONS		(SMMU_REG_PAGE_SIZE + 0xac)
#define SMMU_PRIQ_BASE		0xc0	/* 64-bit */
#define SMMU_PRIQ_PROD		(SMMU_REG_PAGE_SIZE + 0xc8)
#define SMMU_PRIQ_CONS		(SMMU_REG_PAGE_SIZE + 0xcc)

/* SMMU_IDR0 */
#define IDR0_S2P		BIT_ULL(0)
#define IDR0_S1P		BIT_ULL(1)
#define IDR0_TTF		GENMASK_ULL(3, 2)
#define IDR0_TTF_AARCH64	2
#define IDR0_COHACC		BIT_ULL(4)
#define IDR0_ATS		BIT_ULL(10)
#define IDR0_ASID16		BIT_ULL(12)
#define IDR0_MSI		BIT_ULL(13)
#define IDR0_PRI		BIT_ULL(16)
#define IDR0_VMID16		BIT_ULL(18)
#define IDR0_CD2L		BIT_ULL(19)
#define IDR0_TTENDIAN		GENMASK_ULL(22, 21)
#define IDR0_TTENDIAN_LE	2
#define IDR0_STALL_MODEL	GENMASK_ULL(25, 24)
#define IDR0_STALL_MODEL_NONE	1	/* stall not supported */
#define IDR0_TERM_MODEL		BIT_ULL(26)
#define IDR0_ST_LEVEL		GENMASK_ULL(28, 27)
#define IDR0_ST_LEVEL_2LVL	1

/* SMMU_IDR1 */
#define IDR1_SIDSIZE		GENMASK_ULL(5, 0)
#define IDR1_SSIDSIZE		GENMASK_ULL(10, 6)
#define IDR1_PRIQS		GENMASK_ULL(15, 11)
#define IDR1_EVTQS		GENMASK_ULL(20, 16)
#define IDR1_CMDQS		GENMASK_ULL(25, 21)

/* SMMU_IDR3 */
#define IDR3_RIL		BIT_ULL(10)	/* range invalidation */

/* SMMU_IDR5 */
#define IDR5_OAS		GENMASK_ULL(2, 0)
#define IDR5_OAS_48_BIT		5
#define IDR5_GRAN4K		BIT_ULL(4)
#define IDR5_GRAN16K		BIT_ULL(5)
#define IDR5_GRAN64K		BIT_ULL(6)
#define IDR5_STALL_MAX		GENMASK_ULL(31, 16)

/* SMMU_CR0 / SMMU_CR0ACK */
#define CR0_SMMUEN		BIT_ULL(0)
#define CR0_PRIQEN		BIT_ULL(1)
#define CR0_EVTQEN		BIT_ULL(2)
#define CR0_CMDQEN		BIT_ULL(3)
#define CR0_ATSCHK		BIT_ULL(4)
#define CR0_VALID_MASK		GENMASK_ULL(4, 0)

/* SMMU_GBPA: global bypass attribute */
#define GBPA_ABORT		BIT_ULL(20)
#define GBPA_UPDATE		BIT_ULL(31)

/* SMMU_GERROR / SMMU_GERRORN: a bit is active while they differ */
#define GERROR_CMDQ_ERR		BIT_ULL(0)
#define GERROR_EVTQ_ABT_ERR	BIT_ULL(2)
#define GERROR_PRIQ_ABT_ERR	BIT_ULL(3)
#define GERROR_MSI_CMDQ_ABT_ERR	BIT_ULL(4)
#define GERROR_SFM_ERR		BIT_ULL(8)
#define GERROR_ERR_MASK		0x1fdULL

/* SMMU_STRTAB_BASE */
#define STRTAB_BASE_ADDR	GENMASK_ULL(51, 6)
#define STRTAB_BASE_RA		BIT_ULL(62)

/* SMMU_STRTAB_BASE_CFG */
#define STRTAB_BASE_CFG_LOG2SIZE GENMASK_ULL(5, 0)
#define STRTAB_BASE_CFG_SPLIT	GENMASK_ULL(10, 6)
#define STRTAB_BASE_CFG_FMT	GENMASK_ULL(17, 16)
#define STRTAB_BASE_CFG_FMT_LINEAR 0
#define STRTAB_BASE_CFG_FMT_2LVL 1

/* SMMU_{CMDQ,EVTQ,PRIQ}_BASE */
#define Q_BASE_LOG2SIZE		GENMASK_ULL(4, 0)
#define Q_BASE_ADDR		GENMASK_ULL(51, 5)
#define Q_BASE_RWA		BIT_ULL(62)

/*
 * Queue PROD/CONS: an index of LOG2SIZE bits and, above it, the wrap bit.
 * The queue is empty when the indexes and the wrap bits are equal, full when
 * the indexes are equal and the wrap bits differ.
 */
#define Q_OVERFLOW_FLAG		BIT_ULL(31)	/* EVTQ/PRIQ PROD.OVFLG,
						 * CONS.OVACKFLG */
#define CMDQ_CONS_ERR		GENMASK_ULL(30, 24)
#define CMDQ_CERROR_NONE	0
#define CMDQ_CERROR_ILL		1	/* illegal command */
#define CMDQ_CERROR_ABT		2	/* abort on command fetch */
#define CMDQ_CERROR_ATC_INV_SYNC 3	/* ATC invalidation timed out */

/* --------------------------------------------------------- stream table -- */

#define STRTAB_STE_DWORDS	8	/* 64 bytes */
#define STRTAB_L1_DESC_DWORDS	1
#define STRTAB_SPLIT		8	/* 2-level: 256 STEs per L2 table */

/* Level-1 stream table descriptor */
#define STRTAB_L1_DESC_SPAN	GENMASK_ULL(4, 0)
#define STRTAB_L1_DESC_L2PTR	GENMASK_ULL(51, 6)

/* STE word 0 */
#define STE_0_V			BIT_ULL(0)
#define STE_0_CONFIG		GENMASK_ULL(3, 1)	/* STE[3:1] */
#define STE_CONFIG_ABORT	0	/* 0b000: abort, no event */
#define STE_CONFIG_BYPASS	4	/* 0b100 */
#define STE_CONFIG_S1_TRANS	5	/* 0b101 */
#define STE_CONFIG_S2_TRANS	6	/* 0b110 */
#define STE_CONFIG_NESTED	7	/* 0b111 */
#define STE_0_S1FMT		GENMASK_ULL(5, 4)	/* STE[5:4] */
#define STE_S1FMT_LINEAR	0
#define STE_S1FMT_4K_L2		1	/* 2-level, 4 KiB leaves (64 CDs) */
#define STE_S1FMT_64K_L2	2	/* 2-level, 64 KiB leaves (1024 CDs) */
#define STE_0_S1CONTEXTPTR	GENMASK_ULL(51, 6)	/* STE[51:6] */
#define STE_0_S1CDMAX		GENMASK_ULL(63, 59)	/* STE[63:59] */

/* STE word 1 */
#define STE_1_S1DSS		GENMASK_ULL(1, 0)	/* STE[65:64] */
#define STE_S1DSS_TERMINATE	0
#define STE_S1DSS_BYPASS	1
#define STE_S1DSS_SSID0		2
#define STE_1_S1CIR		GENMASK_ULL(3, 2)
#define STE_1_S1COR		GENMASK_ULL(5, 4)
#define STE_1_S1CSH		GENMASK_ULL(7, 6)
#define STE_1_S1STALLD		BIT_ULL(27)
#define STE_1_EATS		GENMASK_ULL(29, 28)	/* STE[93:92] */
#define STE_EATS_ABT		0
#define STE_EATS_TRANS		1
#define STE_EATS_S1CHK		2
#define STE_1_STRW		GENMASK_ULL(31, 30)
#define STE_1_SHCFG		GENMASK_ULL(45, 44)
#define STE_SHCFG_INCOMING	1

/* STE word 2 */
#define STE_2_S2VMID		GENMASK_ULL(15, 0)	/* STE[143:128] */
#define STE_2_S2T0SZ		GENMASK_ULL(37, 32)	/* STE[165:160] */
#define STE_2_S2SL0		GENMASK_ULL(39, 38)	/* STE[167:166] */
#define STE_2_S2IR0		GENMASK_ULL(41, 40)
#define STE_2_S2OR0		GENMASK_ULL(43, 42)
#define STE_2_S2SH0		GENMASK_ULL(45, 44)
#define STE_2_S2TG		GENMASK_ULL(47, 46)	/* STE[175:174] */
#define STE_S2TG_4K		0
#define STE_2_S2PS		GENMASK_ULL(50, 48)	/* STE[178:176] */
#define STE_2_S2AA64		BIT_ULL(51)		/* STE[179] */
#define STE_2_S2ENDI		BIT_ULL(52)
#define STE_2_S2AFFD		BIT_ULL(53)
#define STE_2_S2PTW		BIT_ULL(54)
#define STE_2_S2R		BIT_ULL(58)		/* STE[186] */

/* STE word 3 */
#define STE_3_S2TTB		GENMASK_ULL(51, 4)	/* STE[243:196] */

/* S2SL0 with a 4 KiB granule: the level the walk starts at */
#define STE_S2SL0_LEVEL2	0
#define STE_S2SL0_LEVEL1	1
#define STE_S2SL0_LEVEL0	2

/* ------------------------------------------------- context descriptors -- */

#define CTXDESC_DWORDS		8	/* 64 bytes */
#define CTXDESC_L1_DESC_DWORDS	1
#define CTXDESC_SPLIT_4K	6	/* CDs per 4 KiB leaf: 1 << 6 */
#define CTXDESC_SPLIT_64K	10	/* CDs per 64 KiB leaf: 1 << 10 */

/* Level-1 CD table descriptor */
#define CTXDESC_L1_DESC_V	BIT_ULL(0)
#define CTXDESC_L1_DESC_L2PTR	GENMASK_ULL(51, 12)

/* CD word 0 */
#define CD_0_T0SZ		GENMASK_ULL(5, 0)	/* CD[5:0] */
#define CD_0_TG0		GENMASK_ULL(7, 6)	/* CD[7:6] */
#define CD_TG0_4K		0
#define CD_TG0_64K		1
#define CD_TG0_16K		2
#define CD_0_IR0		GENMASK_ULL(9, 8)
#define CD_0_OR0		GENMASK_ULL(11, 10)
#define CD_0_SH0		GENMASK_ULL(13, 12)
#define CD_0_EPD0		BIT_ULL(14)
#define CD_0_ENDI		BIT_ULL(15)
#define CD_0_EPD1		BIT_ULL(30)
#define CD_0_V			BIT_ULL(31)
#define CD_0_IPS		GENMASK_ULL(34, 32)	/* CD[34:32] */
#define CD_IPS_48_BIT		5
#define CD_0_AFFD		BIT_ULL(35)	/* access flag fault disable */
#define CD_0_WXN		BIT_ULL(36)
#define CD_0_TBI0		BIT_ULL(38)
#define CD_0_AA64		BIT_ULL(41)
#define CD_0_HD			BIT_ULL(42)
#define CD_0_HA			BIT_ULL(43)
#define CD_0_S			BIT_ULL(44)	/* stall */
#define CD_0_R			BIT_ULL(45)	/* record faults */
#define CD_0_A			BIT_ULL(46)	/* abort */
#define CD_0_ASET		BIT_ULL(47)
#define CD_0_ASID		GENMASK_ULL(63, 48)	/* CD[63:48] */

/* CD word 1 */
#define CD_1_TTB0		GENMASK_ULL(51, 4)	/* CD[115:68] */

/* CD word 3: the 64-bit MAIR (MAIR0 in [31:0], MAIR1 in [63:32]) */
#define CD_3_MAIR		GENMASK_ULL(63, 0)

/* ------------------------------------------------------------- commands -- */

#define CMDQ_ENT_DWORDS		2	/* 16 bytes */

#define CMDQ_0_OP		GENMASK_ULL(7, 0)
#define CMDQ_0_SSV		BIT_ULL(11)

#define CMDQ_OP_PREFETCH_CFG	0x01
#define CMDQ_OP_CFGI_STE	0x03
#define CMDQ_OP_CFGI_STE_RANGE	0x04	/* Range 31 is CFGI_ALL */
#define CMDQ_OP_CFGI_CD		0x05
#define CMDQ_OP_CFGI_CD_ALL	0x06
#define CMDQ_OP_TLBI_NH_ALL	0x10
#define CMDQ_OP_TLBI_NH_ASID	0x11
#define CMDQ_OP_TLBI_NH_VA	0x12
#define CMDQ_OP_TLBI_NH_VAA	0x13
#define CMDQ_OP_TLBI_EL2_ALL	0x20
#define CMDQ_OP_TLBI_S12_VMALL	0x28
#define CMDQ_OP_TLBI_S2_IPA	0x2a
#define CMDQ_OP_TLBI_NSNH_ALL	0x30
#define CMDQ_OP_ATC_INV		0x40
#define CMDQ_OP_PRI_RESP	0x41
#define CMDQ_OP_RESUME		0x44
#define CMDQ_OP_CMD_SYNC	0x46
#define CMDQ_OP_MAX		0x100

/* CFGI_* */
#define CMDQ_CFGI_0_SSID	GENMASK_ULL(31, 12)
#define CMDQ_CFGI_0_SID		GENMASK_ULL(63, 32)
#define CMDQ_CFGI_1_LEAF	BIT_ULL(0)
#define CMDQ_CFGI_1_RANGE	GENMASK_ULL(4, 0)	/* 2^(Range+1) SIDs from
							 * SID aligned down */
#define CMDQ_CFGI_RANGE_ALL	31

/* TLBI_* */
#define CMDQ_TLBI_0_NUM		GENMASK_ULL(16, 12)
#define CMDQ_TLBI_0_SCALE	GENMASK_ULL(24, 20)
#define CMDQ_TLBI_0_VMID	GENMASK_ULL(47, 32)
#define CMDQ_TLBI_0_ASID	GENMASK_ULL(63, 48)
#define CMDQ_TLBI_1_LEAF	BIT_ULL(0)
#define CMDQ_TLBI_1_TTL		GENMASK_ULL(9, 8)
#define CMDQ_TLBI_1_TG		GENMASK_ULL(11, 10)	/* 0: no range */
#define CMDQ_TLBI_TG_4K		1
#define CMDQ_TLBI_1_VA		GENMASK_ULL(63, 12)
#define CMDQ_TLBI_1_IPA		GENMASK_ULL(51, 12)
#define CMDQ_TLBI_RANGE_NUM_MAX	31	/* NUM + 1 pages per 2^SCALE */

/* ATC_INV */
#define CMDQ_ATC_0_GLOBAL	BIT_ULL(9)
#define CMDQ_ATC_0_SSID		GENMASK_ULL(31, 12)
#define CMDQ_ATC_0_SID		GENMASK_ULL(63, 32)
#define CMDQ_ATC_1_SIZE		GENMASK_ULL(5, 0)	/* 2^SIZE pages */
#define CMDQ_ATC_1_ADDR		GENMASK_ULL(63, 12)
#define CMDQ_ATC_SIZE_ALL	52

/* PRI_RESP */
#define CMDQ_PRI_0_SSID		GENMASK_ULL(31, 12)
#define CMDQ_PRI_0_SID		GENMASK_ULL(63, 32)
#define CMDQ_PRI_1_GRPID	GENMASK_ULL(8, 0)
#define CMDQ_PRI_1_RESP		GENMASK_ULL(13, 12)
#define CMDQ_PRI_RESP_DENY	0
#define CMDQ_PRI_RESP_FAIL	1
#define CMDQ_PRI_RESP_SUCC	2

/* RESUME */
#define CMDQ_RESUME_0_RESP	GENMASK_ULL(13, 12)
#define CMDQ_RESUME_RESP_TERM	0
#define CMDQ_RESUME_RESP_RETRY	1
#define CMDQ_RESUME_RESP_ABORT	2
#define CMDQ_RESUME_0_SID	GENMASK_ULL(63, 32)
#define CMDQ_RESUME_1_STAG	GENMASK_ULL(15, 0)

/* CMD_SYNC */
#define CMDQ_SYNC_0_CS		GENMASK_ULL(13, 12)
#define CMDQ_SYNC_CS_NONE	0
#define CMDQ_SYNC_CS_IRQ	1	/* MSI write of MSIData to MSIAddress */
#define CMDQ_SYNC_CS_SEV	2
#define CMDQ_SYNC_0_MSH		GENMASK_ULL(23, 22)
#define CMDQ_SYNC_0_MSIATTR	GENMASK_ULL(27, 24)
#define CMDQ_SYNC_0_MSIDATA	GENMASK_ULL(63, 32)
#define CMDQ_SYNC_1_MSIADDR	GENMASK_ULL(51, 2)

/* --------------------------------------------------------------- events -- */

#define EVTQ_ENT_DWORDS		4	/* 32 bytes */
#define PRIQ_ENT_DWORDS		2	/* 16 bytes */

#define EVTQ_0_ID		GENMASK_ULL(7, 0)
#define EVTQ_0_SSV		BIT_ULL(11)
#define EVTQ_0_SSID		GENMASK_ULL(31, 12)
#define EVTQ_0_SID		GENMASK_ULL(63, 32)
#define EVTQ_1_STAG		GENMASK_ULL(15, 0)
#define EVTQ_1_STALL		BIT_ULL(31)
#define EVTQ_1_PNU		BIT_ULL(33)
#define EVTQ_1_IND		BIT_ULL(34)
#define EVTQ_1_RNW		BIT_ULL(35)	/* 1: read */
#define EVTQ_1_S2		BIT_ULL(39)	/* fault at stage 2 */
#define EVTQ_1_CLASS		GENMASK_ULL(41, 40)
#define EVTQ_CLASS_CD		0	/* CD fetch */
#define EVTQ_CLASS_TT		1	/* translation table walk */
#define EVTQ_CLASS_IN		2	/* input address */
#define EVTQ_1_TT_READ		BIT_ULL(44)
#define EVTQ_2_ADDR		GENMASK_ULL(63, 0)	/* input address */
#define EVTQ_3_IPA		GENMASK_ULL(51, 12)	/* stage 2 faults */
#define EVTQ_3_FETCH_ADDR	GENMASK_ULL(51, 3)	/* *_FETCH, WALK_EABT */

/* Event numbers (EVTQ_0_ID) */
#define EVT_ID_F_UUT		0x01
#define EVT_ID_C_BAD_STREAMID	0x02
#define EVT_ID_F_STE_FETCH	0x03
#define EVT_ID_C_BAD_STE	0x04
#define EVT_ID_F_BAD_ATS_TREQ	0x05
#define EVT_ID_F_STREAM_DISABLED 0x06
#define EVT_ID_F_TRANSL_FORBIDDEN 0x07
#define EVT_ID_C_BAD_SUBSTREAMID 0x08
#define EVT_ID_F_CD_FETCH	0x09
#define EVT_ID_C_BAD_CD		0x0a
#define EVT_ID_F_WALK_EABT	0x0b
#define EVT_ID_F_TRANSLATION	0x10
#define EVT_ID_F_ADDR_SIZE	0x11
#define EVT_ID_F_ACCESS		0x12
#define EVT_ID_F_PERMISSION	0x13
#define EVT_ID_F_TLB_CONFLICT	0x20
#define EVT_ID_F_CFG_CONFLICT	0x21
#define EVT_ID_E_PAGE_REQUEST	0x24

/* PRIQ entry (page request) */
#define PRIQ_0_SID		GENMASK_ULL(31, 0)
#define PRIQ_0_SSID		GENMASK_ULL(51, 32)
#define PRIQ_0_PERM_PRIV	BIT_ULL(58)
#define PRIQ_0_PERM_EXEC	BIT_ULL(59)
#define PRIQ_0_PERM_READ	BIT_ULL(60)
#define PRIQ_0_PERM_WRITE	BIT_ULL(61)
#define PRIQ_0_PRG_LAST		BIT_ULL(62)
#define PRIQ_0_SSID_V		BIT_ULL(63)
#define PRIQ_1_PRG_IDX		GENMASK_ULL(8, 0)
#define PRIQ_1_ADDR		GENMASK_ULL(63, 12)

#endif /* SMMUV3_ARCH_H */

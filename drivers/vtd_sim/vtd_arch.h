/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel VT-d architectural encodings shared by both halves of vtd_sim (the
 * device model, model_*.c, and the driver, vtd_drv*.c): the register file,
 * root/context/PASID structures, second- and first-level paging entries,
 * invalidation descriptors, interrupt remapping table entries, the
 * remappable MSI format and the fault reason codes.
 *
 * Names follow the Intel Virtualization Technology for Directed I/O
 * Architecture Specification (rev. 3.x and later); the bit range in each
 * comment is the spec's, counted within the 64-bit word the macro applies to
 * unless it says otherwise (a 128-bit structure's word 1 holds bits
 * [127:64], so "[79:64]" appears as GENMASK_ULL(15, 0) on word 1). Fields
 * are masks: encode with FIELD_PREP(), decode with FIELD_GET().
 *
 * Only what vtd_sim uses is here; the register offsets that the model
 * implements as RAZ/WI (MTRRs, PMEN, page request queue, virtual command)
 * are listed so that a driver can name them.
 */
#ifndef VTD_ARCH_H
#define VTD_ARCH_H

#include <stdint.h>

#include "uiommu_bits.h"

/* ---------------------------------------------------- register offsets -- */

#define DMAR_VER_REG		0x000	/* Version, 32 bit */
#define DMAR_CAP_REG		0x008	/* Capability, 64 bit */
#define DMAR_ECAP_REG		0x010	/* Extended Capability, 64 bit */
#define DMAR_GCMD_REG		0x018	/* Global Command, 32 bit */
#define DMAR_GSTS_REG		0x01c	/* Global Status, 32 bit */
#define DMAR_RTADDR_REG		0x020	/* Root Table Address, 64 bit */
#define DMAR_CCMD_REG		0x028	/* Context Command, 64 bit */
#define DMAR_FSTS_REG		0x034	/* Fault Status, 32 bit */
#define DMAR_FECTL_REG		0x038	/* Fault Event Control */
#define DMAR_FEDATA_REG		0x03c	/* Fault Event Data */
#define DMAR_FEADDR_REG		0x040	/* Fault Event Address */
#define DMAR_FEUADDR_REG	0x044	/* Fault Event Upper Address */
#define DMAR_AFLOG_REG		0x058	/* Advanced Fault Log, 64 bit */
#define DMAR_PMEN_REG		0x064	/* Protected Memory Enable */
#define DMAR_PLMBASE_REG	0x068
#define DMAR_PLMLIMIT_REG	0x06c
#define DMAR_PHMBASE_REG	0x070	/* 64 bit */
#define DMAR_PHMLIMIT_REG	0x078	/* 64 bit */
#define DMAR_IQH_REG		0x080	/* Invalidation Queue Head, 64 bit */
#define DMAR_IQT_REG		0x088	/* Invalidation Queue Tail, 64 bit */
#define DMAR_IQA_REG		0x090	/* Invalidation Queue Address, 64 bit */
#define DMAR_ICS_REG		0x09c	/* Invalidation Completion Status */
#define DMAR_IECTL_REG		0x0a0	/* Invalidation Event Control */
#define DMAR_IEDATA_REG		0x0a4	/* Invalidation Event Data */
#define DMAR_IEADDR_REG		0x0a8	/* Invalidation Event Address */
#define DMAR_IEUADDR_REG	0x0ac	/* Invalidation Event Upper Address */
#define DMAR_IQERCD_REG		0x0b0	/* Invalidation Queue Error Record, 64 */
#define DMAR_IRTA_REG		0x0b8	/* Interrupt Remapping Table Addr, 64 */
#define DMAR_PQH_REG		0x0c0	/* Page Request Queue Head, 64 bit */
#define DMAR_PQT_REG		0x0c8	/* Page Request Queue Tail, 64 bit */
#define DMAR_PQA_REG		0x0d0	/* Page Request Queue Address, 64 bit */
#define DMAR_PRS_REG		0x0dc	/* Page Request Status */
#define DMAR_PECTL_REG		0x0e0	/* Page Request Event Control */
#define DMAR_MTRRCAP_REG	0x100	/* 64 bit */
#define DMAR_MTRRDEF_REG	0x108	/* 64 bit */
#define DMAR_VCCAP_REG		0xe00	/* Virtual Command Capability, 64 bit */

/* IOTLB registers at ECAP.IRO * 16: IVA_REG, then IOTLB_REG 8 bytes on. */
#define DMAR_IVA_OFF		0x0
#define DMAR_IOTLB_OFF		0x8
/* Fault recording register i at CAP.FRO * 16 + i * 16, 128 bits each. */
#define DMAR_FRCD_LEN		16

/* ------------------------------------------------------------- VER_REG -- */

#define VER_MIN			GENMASK_ULL(3, 0)	/* VER[3:0] minor */
#define VER_MAX			GENMASK_ULL(7, 4)	/* VER[7:4] major */

/* ------------------------------------------------------------- CAP_REG -- */

#define CAP_ND			GENMASK_ULL(2, 0)	/* Number of Domains:
							 * 2^(4 + 2 * ND) */
#define CAP_AFL			BIT_ULL(3)	/* Advanced Fault Logging */
#define CAP_RWBF		BIT_ULL(4)	/* Required Write-Buffer Flush */
#define CAP_PLMR		BIT_ULL(5)	/* Protected Low-Mem Region */
#define CAP_PHMR		BIT_ULL(6)	/* Protected High-Mem Region */
#define CAP_CM			BIT_ULL(7)	/* Caching Mode */
#define CAP_SAGAW		GENMASK_ULL(12, 8) /* Supported Adjusted Guest
						    * Address Widths */
#define CAP_MGAW		GENMASK_ULL(21, 16) /* Max Guest Address
						     * Width - 1 */
#define CAP_ZLR			BIT_ULL(22)	/* Zero Length Read */
#define CAP_FRO			GENMASK_ULL(33, 24) /* Fault-recording Reg
						     * Offset / 16 */
#define CAP_SLLPS		GENMASK_ULL(37, 34) /* Second Level Large
						     * Page Support */
#define CAP_PSI			BIT_ULL(39)	/* Page Selective Invalidation */
#define CAP_NFR			GENMASK_ULL(47, 40) /* Number of Fault-
						     * recording Regs - 1 */
#define CAP_MAMV		GENMASK_ULL(53, 48) /* Max Address Mask Value */
#define CAP_DWD			BIT_ULL(54)	/* Write Draining */
#define CAP_DRD			BIT_ULL(55)	/* Read Draining */
#define CAP_FL1GP		BIT_ULL(56)	/* First Level 1-GByte Page */
#define CAP_PI			BIT_ULL(59)	/* Posted Interrupts */
#define CAP_FL5LP		BIT_ULL(60)	/* First Level 5-level Paging */
#define CAP_ESIRTPS		BIT_ULL(62)	/* Enhanced SIRTP Support */
#define CAP_ESRTPS		BIT_ULL(63)	/* Enhanced SRTP Support */

/* CAP.SAGAW bits: which AW values a context / PASID entry may use. */
#define SAGAW_39_3LVL		BIT_ULL(1)	/* AW 1: 39-bit, 3-level */
#define SAGAW_48_4LVL		BIT_ULL(2)	/* AW 2: 48-bit, 4-level */
#define SAGAW_57_5LVL		BIT_ULL(3)	/* AW 3: 57-bit, 5-level */
/* CAP.SLLPS bits. */
#define SLLPS_2M		BIT_ULL(0)
#define SLLPS_1G		BIT_ULL(1)

/* ------------------------------------------------------------ ECAP_REG -- */

#define ECAP_C			BIT_ULL(0)	/* Page-walk Coherency */
#define ECAP_QI			BIT_ULL(1)	/* Queued Invalidation */
#define ECAP_DT			BIT_ULL(2)	/* Device-TLB */
#define ECAP_IR			BIT_ULL(3)	/* Interrupt Remapping */
#define ECAP_EIM		BIT_ULL(4)	/* Extended Interrupt Mode */
#define ECAP_PT			BIT_ULL(6)	/* Pass Through */
#define ECAP_SC			BIT_ULL(7)	/* Snoop Control */
#define ECAP_IRO		GENMASK_ULL(17, 8) /* IOTLB Register Offset
						    * / 16 */
#define ECAP_MHMV		GENMASK_ULL(23, 20) /* Max Handle Mask Value */
#define ECAP_MTS		BIT_ULL(25)	/* Memory Type Support */
#define ECAP_NEST		BIT_ULL(26)	/* Nested Translation */
#define ECAP_PRS		BIT_ULL(29)	/* Page Request Support */
#define ECAP_ERS		BIT_ULL(30)	/* Execute Request Support */
#define ECAP_SRS		BIT_ULL(31)	/* Supervisor Request Support */
#define ECAP_NWFS		BIT_ULL(33)	/* No Write Flag Support */
#define ECAP_EAFS		BIT_ULL(34)	/* Extended Accessed Flag */
#define ECAP_PSS		GENMASK_ULL(39, 35) /* PASID Size - 1 */
#define ECAP_PASID		BIT_ULL(40)	/* PASID Support */
#define ECAP_DIT		BIT_ULL(41)	/* Device-TLB Inv. Throttle */
#define ECAP_PDS		BIT_ULL(42)	/* Page-request Drain Support */
#define ECAP_SMTS		BIT_ULL(43)	/* Scalable Mode Translation */
#define ECAP_VCS		BIT_ULL(44)	/* Virtual Command Support */
#define ECAP_SLADS		BIT_ULL(45)	/* SL Accessed/Dirty Support */
#define ECAP_SLTS		BIT_ULL(46)	/* Second-Level Translation */
#define ECAP_FLTS		BIT_ULL(47)	/* First-Level Translation */
#define ECAP_SMPWCS		BIT_ULL(48)	/* SM Page-Walk Coherency */
#define ECAP_RPS		BIT_ULL(49)	/* RID-PASID Support */
#define ECAP_ADMS		BIT_ULL(52)	/* Abort DMA Mode Support */
#define ECAP_RPRIVS		BIT_ULL(53)	/* RID_PRIV Support */

/* ------------------------------------------------------ GCMD / GSTS -- */

/* GCMD: persistent enables (TE, QIE, IRE, CFI, EAFL) are written back with
 * their GSTS state; one-shot commands (SRTP, SFL, WBF, SIRTP) are set alone. */
#define GCMD_CFI		BIT_ULL(23)	/* Compatibility Format Intr */
#define GCMD_SIRTP		BIT_ULL(24)	/* Set Interrupt Remap Table Ptr */
#define GCMD_IRE		BIT_ULL(25)	/* Interrupt Remapping Enable */
#define GCMD_QIE		BIT_ULL(26)	/* Queued Invalidation Enable */
#define GCMD_WBF		BIT_ULL(27)	/* Write Buffer Flush */
#define GCMD_EAFL		BIT_ULL(28)	/* Enable Advanced Fault Log */
#define GCMD_SFL		BIT_ULL(29)	/* Set Fault Log */
#define GCMD_SRTP		BIT_ULL(30)	/* Set Root Table Pointer */
#define GCMD_TE			BIT_ULL(31)	/* Translation Enable */

#define GSTS_CFIS		BIT_ULL(23)	/* Compatibility Format Status */
#define GSTS_IRTPS		BIT_ULL(24)	/* Intr Remap Table Ptr Status */
#define GSTS_IRES		BIT_ULL(25)	/* Interrupt Remapping Status */
#define GSTS_QIES		BIT_ULL(26)	/* Queued Invalidation Status */
#define GSTS_WBFS		BIT_ULL(27)	/* Write Buffer Flush Status */
#define GSTS_AFLS		BIT_ULL(28)	/* Advanced Fault Log Status */
#define GSTS_FLS		BIT_ULL(29)	/* Fault Log Status */
#define GSTS_RTPS		BIT_ULL(30)	/* Root Table Pointer Status */
#define GSTS_TES		BIT_ULL(31)	/* Translation Enable Status */

/* GCMD bits that stay set (reflected in GSTS) and one-shot commands. */
#define GCMD_PERSISTENT		(GCMD_TE | GCMD_EAFL | GCMD_QIE | GCMD_IRE | \
				 GCMD_CFI)
#define GCMD_ONE_SHOT		(GCMD_SRTP | GCMD_SFL | GCMD_WBF | GCMD_SIRTP)

/* ---------------------------------------------------------- RTADDR_REG -- */

#define RTADDR_TTM		GENMASK_ULL(11, 10) /* Translation Table Mode */
#define RTADDR_RTA		GENMASK_ULL(63, 12) /* Root Table Address */

#define RTADDR_TTM_LEGACY	0	/* legacy root/context entries */
#define RTADDR_TTM_SCALABLE	1	/* scalable-mode root/context */
#define RTADDR_TTM_RSVD		2	/* reserved (was extended root) */
#define RTADDR_TTM_ABORT_DMA	3	/* abort-DMA mode (ECAP.ADMS) */

/* ------------------------------------------------------------ CCMD_REG -- */

#define CCMD_DID		GENMASK_ULL(15, 0)
#define CCMD_SID		GENMASK_ULL(31, 16)
#define CCMD_FM			GENMASK_ULL(33, 32)
#define CCMD_CAIG		GENMASK_ULL(60, 59)
#define CCMD_CIRG		GENMASK_ULL(62, 61)
#define CCMD_ICC		BIT_ULL(63)

/* ------------------------------------------------------- FSTS / FECTL -- */

#define FSTS_PFO		BIT_ULL(0)	/* Primary Fault Overflow, RW1C */
#define FSTS_PPF		BIT_ULL(1)	/* Primary Pending Fault, RO:
						 * OR of every FRCD.F */
#define FSTS_AFO		BIT_ULL(2)	/* Advanced Fault Overflow */
#define FSTS_APF		BIT_ULL(3)	/* Advanced Pending Fault */
#define FSTS_IQE		BIT_ULL(4)	/* Invalidation Queue Error, RW1C */
#define FSTS_ICE		BIT_ULL(5)	/* Inv. Completion Error, RW1C */
#define FSTS_ITE		BIT_ULL(6)	/* Invalidation Time-out Error */
#define FSTS_FRI		GENMASK_ULL(15, 8) /* Fault Record Index */

/* FSTS bits software clears by writing 1. */
#define FSTS_RW1C		(FSTS_PFO | FSTS_AFO | FSTS_APF | FSTS_IQE | \
				 FSTS_ICE | FSTS_ITE)

/* FECTL, IECTL, PECTL: interrupt mask and pending. */
#define EVTCTL_IP		BIT_ULL(30)	/* Interrupt Pending */
#define EVTCTL_IM		BIT_ULL(31)	/* Interrupt Mask */

/* ---------------------------------------- fault recording registers -- */

/* Word 0 (bits [63:0]). */
#define FRCD_LO_FI		GENMASK_ULL(63, 12) /* Fault Info: page of the
						     * faulting address;
						     * IR faults: index at
						     * [63:48] */
#define FRCD_LO_FI_IR_INDEX	GENMASK_ULL(63, 48)
/* Word 1 (bits [127:64]). */
#define FRCD_HI_SID		GENMASK_ULL(15, 0)  /* [79:64] Source ID */
#define FRCD_HI_T2		BIT_ULL(28)	/* [92] Type bit 2 */
#define FRCD_HI_PRIV		BIT_ULL(29)	/* [93] Privilege Mode Req. */
#define FRCD_HI_EXE		BIT_ULL(30)	/* [94] Execute Requested */
#define FRCD_HI_PP		BIT_ULL(31)	/* [95] PASID Present */
#define FRCD_HI_FR		GENMASK_ULL(39, 32) /* [103:96] Fault Reason */
#define FRCD_HI_PV		GENMASK_ULL(59, 40) /* [123:104] PASID Value */
#define FRCD_HI_AT		GENMASK_ULL(61, 60) /* [125:124] Address Type */
#define FRCD_HI_T1		BIT_ULL(62)	/* [126] Type: 1 read, 0 write */
#define FRCD_HI_F		BIT_ULL(63)	/* [127] Fault, RW1C */

/* FRCD.AT: untranslated request (the only kind vtd_sim records). */
#define FRCD_AT_UNTRANSLATED	0

/* ------------------------------------------------ invalidation queue -- */

#define IQH_QH			GENMASK_ULL(18, 4)  /* Queue Head (byte offset
						     * / 16; bit 4 is 0 with
						     * 256-bit descriptors) */
#define IQT_QT			GENMASK_ULL(18, 4)  /* Queue Tail, likewise */
#define IQA_QS			GENMASK_ULL(2, 0)   /* Queue Size: 2^QS pages */
#define IQA_DW			BIT_ULL(11)	/* Descriptor Width: 1 = 256 */
#define IQA_IQA			GENMASK_ULL(63, 12) /* Queue Base Address */
#define ICS_IWC			BIT_ULL(0)	/* Inv. Wait Descriptor Complete,
						 * RW1C */

/* The queue holds 2^QS 4 KiB pages of 16- or 32-byte descriptors. */
#define IQ_PAGE_SHIFT		12
#define IQ_DESC_SHIFT_128	4
#define IQ_DESC_SHIFT_256	5

#define IQERCD_IQEI		GENMASK_ULL(3, 0)   /* Inv. Queue Error Info */
#define IQERCD_ITESID		GENMASK_ULL(47, 32) /* Time-out Error SID */
#define IQERCD_ICESID		GENMASK_ULL(63, 48) /* Completion Error SID */

/* IQERCD.IQEI: why the invalidation queue stopped (FSTS.IQE). */
enum vtd_iqei {
	IQEI_INFO_NOT_AVAILABLE = 0,
	IQEI_TAIL_PTR_INVALID = 1,	/* IQT beyond the queue size */
	IQEI_DESC_FETCH_ERROR = 2,	/* descriptor (or status) access
					 * failed */
	IQEI_DESC_TYPE_INVALID = 3,	/* unknown or unsupported type */
	IQEI_DESC_RSVD_FIELD = 4,	/* reserved field or value set */
	IQEI_DESC_WIDTH_INVALID = 5,	/* 128-bit queue in scalable mode */
	IQEI_TAIL_MISALIGNED = 6,	/* DW=1 and IQT[4] set */
	IQEI_TTM_INVALID = 7,		/* descriptor not valid in this TTM */
};

/* --------------------------------------------------------- IRTA_REG -- */

#define IRTA_S			GENMASK_ULL(3, 0)   /* Size: 2^(S+1) entries */
#define IRTA_EIME		BIT_ULL(11)	/* Extended Interrupt Mode En. */
#define IRTA_IRTA		GENMASK_ULL(63, 12) /* Table Address */

/* -------------------------------------------------- IOTLB registers -- */

#define IVA_AM			GENMASK_ULL(5, 0)
#define IVA_IH			BIT_ULL(6)
#define IVA_ADDR		GENMASK_ULL(63, 12)
#define IOTLB_DID		GENMASK_ULL(47, 32)
#define IOTLB_DW		BIT_ULL(48)
#define IOTLB_DR		BIT_ULL(49)
#define IOTLB_IAIG		GENMASK_ULL(58, 57)
#define IOTLB_IIRG		GENMASK_ULL(61, 60)
#define IOTLB_IVT		BIT_ULL(63)

/* ---------------------------------------------- legacy root entry -- */

/* 128 bits; 256 entries (one per bus) in a 4 KiB root table. */
#define ROOT_LO_P		BIT_ULL(0)	/* Present */
#define ROOT_LO_RSVD		GENMASK_ULL(11, 1)
#define ROOT_LO_CTP		GENMASK_ULL(63, 12) /* Context-table Pointer */
/* Word 1 ([127:64]) is reserved. */

/* ------------------------------------------- legacy context entry -- */

/* 128 bits; 256 entries (one per devfn) in a 4 KiB context table. */
#define CTX_LO_P		BIT_ULL(0)	/* Present */
#define CTX_LO_FPD		BIT_ULL(1)	/* Fault Processing Disable */
#define CTX_LO_TT		GENMASK_ULL(3, 2)   /* Translation Type */
#define CTX_LO_RSVD		GENMASK_ULL(11, 4)
#define CTX_LO_SLPTPTR		GENMASK_ULL(63, 12) /* SL Page Table Ptr */
#define CTX_HI_AW		GENMASK_ULL(2, 0)   /* [66:64] Address Width */
#define CTX_HI_AVAIL		GENMASK_ULL(6, 3)   /* [70:67] ignored */
#define CTX_HI_RSVD		(BIT_ULL(7) | GENMASK_ULL(63, 24))
#define CTX_HI_DID		GENMASK_ULL(23, 8)  /* [87:72] Domain ID */

#define CTX_TT_MULTI_LEVEL	0	/* untranslated requests via SL */
#define CTX_TT_DEV_IOTLB	1	/* as 0, and ATS allowed */
#define CTX_TT_PASS_THROUGH	2	/* untranslated = host address */
#define CTX_TT_RSVD		3

/* AW (context entries, PASID entries): 1: 39-bit, 2: 48-bit, 3: 57-bit. */
#define AW_39BIT		1
#define AW_48BIT		2
#define AW_57BIT		3

/* -------------------------------------- scalable-mode root entry -- */

/* 128 bits: the lower half serves devfn 0..127, the upper 128..255. */
#define SM_ROOT_LO_LP		BIT_ULL(0)	/* Lower Present */
#define SM_ROOT_LO_RSVD		GENMASK_ULL(11, 1)
#define SM_ROOT_LO_LCTP		GENMASK_ULL(63, 12) /* Lower Context Table */
#define SM_ROOT_HI_UP		BIT_ULL(0)	/* [64] Upper Present */
#define SM_ROOT_HI_RSVD		GENMASK_ULL(11, 1)
#define SM_ROOT_HI_UCTP		GENMASK_ULL(63, 12) /* Upper Context Table */

/* ------------------------------------ scalable-mode context entry -- */

/* 256 bits; 128 entries in a 4 KiB context table (devfn[6:0]). */
#define SM_CTX_DEVFN_BITS	7
#define SM_CTX_0_P		BIT_ULL(0)	/* Present */
#define SM_CTX_0_FPD		BIT_ULL(1)	/* Fault Processing Disable */
#define SM_CTX_0_DTE		BIT_ULL(2)	/* Device-TLB Enable */
#define SM_CTX_0_PASIDE		BIT_ULL(3)	/* PASID Enable */
#define SM_CTX_0_PRE		BIT_ULL(4)	/* Page Request Enable */
#define SM_CTX_0_RSVD		GENMASK_ULL(8, 5)
#define SM_CTX_0_PDTS		GENMASK_ULL(11, 9)  /* PASID Dir Table Size:
						     * 2^(PDTS + 7) entries */
#define SM_CTX_0_PASIDDIRPTR	GENMASK_ULL(63, 12) /* PASID Dir Pointer */
#define SM_CTX_1_RID_PASID	GENMASK_ULL(19, 0)  /* [83:64] PASID used for
						     * requests without one */
#define SM_CTX_1_RID_PRIV	BIT_ULL(20)	/* [84] (ECAP.RPRIVS) */
#define SM_CTX_1_RSVD		GENMASK_ULL(63, 21)
/* Words 2 and 3 ([255:128]) are reserved. */

/* -------------------------------------------- PASID directory entry -- */

/* 64 bits; indexed by PASID[19:6]. */
#define PASID_DIR_SHIFT		6
#define PASID_DIR_P		BIT_ULL(0)	/* Present */
#define PASID_DIR_FPD		BIT_ULL(1)	/* Fault Processing Disable */
#define PASID_DIR_RSVD		GENMASK_ULL(11, 2)
#define PASID_DIR_SMPTBLPTR	GENMASK_ULL(63, 12) /* PASID Table Pointer */

/* ------------------------------------------------ PASID table entry -- */

/* 512 bits (8 words); 64 entries in a 4 KiB table, indexed by PASID[5:0]. */
#define PASID_TBL_ENTRIES	64
#define PASID_ENTRY_WORDS	8
#define PASID_0_P		BIT_ULL(0)	/* Present */
#define PASID_0_FPD		BIT_ULL(1)	/* Fault Processing Disable */
#define PASID_0_AW		GENMASK_ULL(4, 2)   /* SL Address Width */
#define PASID_0_SLEE		BIT_ULL(5)	/* SL Execute Enable */
#define PASID_0_PGTT		GENMASK_ULL(8, 6)   /* PASID Granular
						     * Translation Type */
#define PASID_0_SLADE		BIT_ULL(9)	/* SL Access/Dirty Enable */
#define PASID_0_RSVD		GENMASK_ULL(11, 10)
#define PASID_0_SLPTPTR		GENMASK_ULL(63, 12) /* SL Page Table Ptr */
#define PASID_1_DID		GENMASK_ULL(15, 0)  /* [79:64] Domain ID */
#define PASID_1_RSVD		GENMASK_ULL(22, 16)
#define PASID_1_PWSNP		BIT_ULL(23)	/* [87] Page-Walk Snoop */
#define PASID_1_PGSNP		BIT_ULL(24)	/* [88] Page Snoop */
#define PASID_1_CD		BIT_ULL(25)	/* [89] Cache Disable */
#define PASID_1_EMTE		BIT_ULL(26)	/* [90] Ext. Mem Type Enable */
#define PASID_1_EMT		GENMASK_ULL(29, 27) /* [93:91] */
#define PASID_1_PWT		BIT_ULL(30)	/* [94] */
#define PASID_1_PCD		BIT_ULL(31)	/* [95] */
#define PASID_1_PAT		GENMASK_ULL(63, 32) /* [127:96] */
#define PASID_2_SRE		BIT_ULL(0)	/* [128] Supervisor Req. En. */
#define PASID_2_ERE		BIT_ULL(1)	/* [129] Execute Req. Enable */
#define PASID_2_FLPM		GENMASK_ULL(3, 2)   /* [131:130] FL Paging Mode:
						     * 0 4-level, 1 5-level */
#define PASID_2_WPE		BIT_ULL(4)	/* [132] Write Protect En. */
#define PASID_2_NXE		BIT_ULL(5)	/* [133] No-Execute Enable */
#define PASID_2_SMEP		BIT_ULL(6)	/* [134] */
#define PASID_2_EAFE		BIT_ULL(7)	/* [135] Ext. Accessed Flag */
#define PASID_2_RSVD		GENMASK_ULL(11, 8)
#define PASID_2_FLPTR		GENMASK_ULL(63, 12) /* [191:140] FL Page Table
						     * Pointer */
/* Words 3..7 ([511:192]) are reserved (or VT-d 4.x fields vtd_sim does
 * not implement). */

#define PGTT_FL			1	/* first-level only */
#define PGTT_SL			2	/* second-level only */
#define PGTT_NESTED		3	/* first level, output through SL */
#define PGTT_PT			4	/* pass-through */

#define FLPM_4LVL		0
#define FLPM_5LVL		1

/* ---------------------------------------- second-level paging entry -- */

#define SL_PTE_R		BIT_ULL(0)	/* Read */
#define SL_PTE_W		BIT_ULL(1)	/* Write */
#define SL_PTE_X		BIT_ULL(2)	/* Execute */
#define SL_PTE_EMT		GENMASK_ULL(5, 3)   /* leaf: memory type */
#define SL_PTE_IPAT		BIT_ULL(6)	/* leaf: ignore PAT */
#define SL_PTE_PS		BIT_ULL(7)	/* Page Size (superpage leaf) */
#define SL_PTE_A		BIT_ULL(8)	/* Accessed */
#define SL_PTE_D		BIT_ULL(9)	/* leaf: Dirty */
#define SL_PTE_SNP		BIT_ULL(11)	/* leaf: Snoop */
#define SL_PTE_ADDR		GENMASK_ULL(51, 12) /* table or page address */
#define SL_PTE_TM		BIT_ULL(62)	/* Transient Mapping (reserved
						 * unless CAP says so) */

/* ----------------------------------------- first-level paging entry -- */

/* The x86-64 (IA-32e) paging format. */
#define FL_PTE_P		BIT_ULL(0)	/* Present */
#define FL_PTE_RW		BIT_ULL(1)	/* Read/Write */
#define FL_PTE_US		BIT_ULL(2)	/* User/Supervisor */
#define FL_PTE_PWT		BIT_ULL(3)
#define FL_PTE_PCD		BIT_ULL(4)
#define FL_PTE_A		BIT_ULL(5)	/* Accessed */
#define FL_PTE_D		BIT_ULL(6)	/* leaf: Dirty */
#define FL_PTE_PS		BIT_ULL(7)	/* Page Size; PAT in a 4K PTE */
#define FL_PTE_G		BIT_ULL(8)	/* leaf: Global */
#define FL_PTE_EA		BIT_ULL(10)	/* Extended Accessed */
#define FL_PTE_ADDR		GENMASK_ULL(51, 12)
#define FL_PTE_LARGE_PAT	BIT_ULL(12)	/* superpage leaf: PAT */
#define FL_PTE_XD		BIT_ULL(63)	/* Execute Disable (PASID NXE) */

/* Both formats: 9 index bits per level, 4 KiB at level 1. */
#define VTD_PAGE_SHIFT		12
#define VTD_PAGE_SIZE		(UINT64_C(1) << VTD_PAGE_SHIFT)
#define VTD_LEVEL_BITS		9
#define VTD_LEVEL_SHIFT(lvl)	(VTD_PAGE_SHIFT + VTD_LEVEL_BITS * ((lvl) - 1))

/* ----------------------------------------- invalidation descriptors -- */

/* Every descriptor: type in [3:0] and [11:9] of word 0. */
#define QI_TYPE_LO		GENMASK_ULL(3, 0)
#define QI_TYPE_HI		GENMASK_ULL(11, 9)

enum vtd_qi_type {
	QI_CC_TYPE = 1,		/* context-cache invalidate */
	QI_IOTLB_TYPE = 2,	/* IOTLB invalidate */
	QI_DIOTLB_TYPE = 3,	/* device-TLB invalidate */
	QI_IEC_TYPE = 4,	/* interrupt entry cache invalidate */
	QI_IWD_TYPE = 5,	/* invalidation wait */
	QI_EIOTLB_TYPE = 6,	/* PASID-based IOTLB invalidate */
	QI_PC_TYPE = 7,		/* PASID-cache invalidate */
	QI_DEIOTLB_TYPE = 8,	/* PASID-based device-TLB invalidate */
	QI_TYPE_MAX = 128,	/* type is 7 bits: {[11:9], [3:0]} */
};

/* Context-cache invalidate (type 1). */
#define QI_CC_G			GENMASK_ULL(5, 4)   /* Granularity */
#define QI_CC_DID		GENMASK_ULL(31, 16)
#define QI_CC_SID		GENMASK_ULL(47, 32)
#define QI_CC_FM		GENMASK_ULL(49, 48) /* Function Mask */
#define QI_CC_G_GLOBAL		1
#define QI_CC_G_DOMAIN		2
#define QI_CC_G_DEVICE		3

/* IOTLB invalidate (type 2). */
#define QI_IOTLB_G		GENMASK_ULL(5, 4)   /* Granularity */
#define QI_IOTLB_DW		BIT_ULL(6)	/* Drain Writes */
#define QI_IOTLB_DR		BIT_ULL(7)	/* Drain Reads */
#define QI_IOTLB_DID		GENMASK_ULL(31, 16)
#define QI_IOTLB_AM		GENMASK_ULL(5, 0)   /* word 1: Address Mask:
						     * 2^AM pages */
#define QI_IOTLB_IH		BIT_ULL(6)	/* word 1: Invalidation Hint */
#define QI_IOTLB_ADDR		GENMASK_ULL(63, 12) /* word 1: Address */
#define QI_IOTLB_G_GLOBAL	1
#define QI_IOTLB_G_DSI		2	/* domain-selective */
#define QI_IOTLB_G_PSI		3	/* page-selective within domain */

/* Device-TLB invalidate (type 3). */
#define QI_DEV_IOTLB_PFSID_LO	GENMASK_ULL(15, 12) /* PF Source ID [3:0] */
#define QI_DEV_IOTLB_MIP	GENMASK_ULL(20, 16) /* Max Invs Pending */
#define QI_DEV_IOTLB_SID	GENMASK_ULL(47, 32)
#define QI_DEV_IOTLB_PFSID_HI	GENMASK_ULL(63, 52) /* PF Source ID [15:4] */
#define QI_DEV_IOTLB_S		BIT_ULL(0)	/* word 1: Size */
#define QI_DEV_IOTLB_ADDR	GENMASK_ULL(63, 12) /* word 1 */

/* Interrupt entry cache invalidate (type 4). */
#define QI_IEC_G		BIT_ULL(4)	/* 0 global, 1 index-selective */
#define QI_IEC_IM		GENMASK_ULL(31, 27) /* Index Mask: 2^IM */
#define QI_IEC_IIDX		GENMASK_ULL(47, 32) /* Interrupt Index */

/* Invalidation wait (type 5). */
#define QI_IWD_IF		BIT_ULL(4)	/* Interrupt Flag -> ICS.IWC */
#define QI_IWD_SW		BIT_ULL(5)	/* Status Write */
#define QI_IWD_FN		BIT_ULL(6)	/* Fence */
#define QI_IWD_PD		BIT_ULL(7)	/* Page-request Drain */
#define QI_IWD_STATUS_DATA	GENMASK_ULL(63, 32)
#define QI_IWD_STATUS_ADDR	GENMASK_ULL(63, 2)  /* word 1 */

/* PASID-based IOTLB invalidate (type 6). */
#define QI_EIOTLB_G		GENMASK_ULL(5, 4)
#define QI_EIOTLB_DID		GENMASK_ULL(31, 16)
#define QI_EIOTLB_PASID		GENMASK_ULL(51, 32)
#define QI_EIOTLB_AM		GENMASK_ULL(5, 0)   /* word 1 */
#define QI_EIOTLB_IH		BIT_ULL(6)	/* word 1 */
#define QI_EIOTLB_ADDR		GENMASK_ULL(63, 12) /* word 1 */
#define QI_EIOTLB_G_PASID	2	/* non-globals within PASID */
#define QI_EIOTLB_G_PSI		3	/* page-selective within PASID */

/* PASID-cache invalidate (type 7). */
#define QI_PC_G			GENMASK_ULL(5, 4)
#define QI_PC_DID		GENMASK_ULL(31, 16)
#define QI_PC_PASID		GENMASK_ULL(51, 32)
#define QI_PC_G_DOMAIN		0	/* all PASIDs of a domain */
#define QI_PC_G_PASID		1	/* PASID-selective within domain */
#define QI_PC_G_GLOBAL		3

/* PASID-based device-TLB invalidate (type 8). */
#define QI_DEV_EIOTLB_MIP	GENMASK_ULL(8, 4)
#define QI_DEV_EIOTLB_PFSID_LO	GENMASK_ULL(15, 12)
#define QI_DEV_EIOTLB_SID	GENMASK_ULL(31, 16)
#define QI_DEV_EIOTLB_PASID	GENMASK_ULL(51, 32)
#define QI_DEV_EIOTLB_PFSID_HI	GENMASK_ULL(63, 52)
#define QI_DEV_EIOTLB_G		BIT_ULL(0)	/* word 1: Global */
#define QI_DEV_EIOTLB_S		BIT_ULL(11)	/* word 1: Size */
#define QI_DEV_EIOTLB_ADDR	GENMASK_ULL(63, 12) /* word 1 */

/* ------------------------------------ interrupt remapping table entry -- */

/* 128 bits, remapped format (IM = 0). */
#define IRTE_LO_P		BIT_ULL(0)	/* Present */
#define IRTE_LO_FPD		BIT_ULL(1)	/* Fault Processing Disable */
#define IRTE_LO_DM		BIT_ULL(2)	/* Destination Mode: 1 logical */
#define IRTE_LO_RH		BIT_ULL(3)	/* Redirection Hint */
#define IRTE_LO_TM		BIT_ULL(4)	/* Trigger Mode: 1 level */
#define IRTE_LO_DLM		GENMASK_ULL(7, 5)   /* Delivery Mode */
#define IRTE_LO_AVAIL		GENMASK_ULL(11, 8)
#define IRTE_LO_RSVD		(GENMASK_ULL(14, 12) | GENMASK_ULL(31, 24))
#define IRTE_LO_IM		BIT_ULL(15)	/* IRTE Mode: 1 posted (CAP.PI) */
#define IRTE_LO_V		GENMASK_ULL(23, 16) /* Vector */
#define IRTE_LO_DST		GENMASK_ULL(63, 32) /* Destination ID (x2APIC) */
#define IRTE_LO_DST_XAPIC	GENMASK_ULL(47, 40) /* xAPIC: DST[15:8] */
#define IRTE_LO_RSVD_XAPIC	(GENMASK_ULL(39, 32) | GENMASK_ULL(63, 48))
#define IRTE_HI_SID		GENMASK_ULL(15, 0)  /* [79:64] Source ID */
#define IRTE_HI_SQ		GENMASK_ULL(17, 16) /* [81:80] SID Qualifier */
#define IRTE_HI_SVT		GENMASK_ULL(19, 18) /* [83:82] SID Valid. Type */
#define IRTE_HI_RSVD		GENMASK_ULL(63, 20)

#define IRTE_SVT_NONE		0	/* no requester-id check */
#define IRTE_SVT_SID_SQ		1	/* SID, with SQ ignoring function bits */
#define IRTE_SVT_BUS_RANGE	2	/* bus in [SID[15:8], SID[7:0]] */
#define IRTE_SVT_RSVD		3

/* SQ: which low bits of the requester id SVT=1 ignores. */
#define IRTE_SQ_ALL_16		0	/* compare all 16 bits */
#define IRTE_SQ_IGN_2		1	/* ignore bit 2 */
#define IRTE_SQ_IGN_2_1		2	/* ignore bits 2:1 */
#define IRTE_SQ_IGN_2_0		3	/* ignore bits 2:0 */

/* Largest table: 2^(15 + 1) entries (IRTA.S = 15), 16-bit handles. */
#define IRTE_SIZE		16
#define IRT_ENTRIES_MAX		(1u << 16)

/* ------------------------------------------------------ MSI formats -- */

/* Address bits common to both formats. */
#define MSI_ADDR_BASE		GENMASK_ULL(31, 20) /* 0xFEE */
#define MSI_ADDR_BASE_VALUE	0xfee
#define MSI_ADDR_IF		BIT_ULL(4)	/* Interrupt Format: 1 remap. */

/* Remappable format. */
#define MSI_ADDR_HANDLE_15	BIT_ULL(2)	/* HANDLE[15] */
#define MSI_ADDR_SHV		BIT_ULL(3)	/* SubHandle Valid */
#define MSI_ADDR_HANDLE_LO	GENMASK_ULL(19, 5)  /* HANDLE[14:0] */
#define MSI_DATA_SUBHANDLE	GENMASK_ULL(15, 0)
#define MSI_DATA_RSVD		GENMASK_ULL(31, 16)

/* Compatibility format (the x86 MSI format). */
#define MSI_ADDR_DM		BIT_ULL(2)	/* Destination Mode: 1 logical */
#define MSI_ADDR_RH		BIT_ULL(3)	/* Redirection Hint */
#define MSI_ADDR_DEST_ID	GENMASK_ULL(19, 12)
#define MSI_DATA_VECTOR		GENMASK_ULL(7, 0)
#define MSI_DATA_DLM		GENMASK_ULL(10, 8)
#define MSI_DATA_TM		BIT_ULL(15)	/* Trigger Mode: 1 level */

/* ----------------------------------------------------- fault reasons -- */

/*
 * Fault Reason (FRCD.FR) codes, named after the spec's condition tables
 * (LRT/LCT/LSL/LGN: legacy mode; IR: interrupt remapping; RTA/SRT/SCT/SPD/
 * SPT/SFL/SSL/SGN: scalable mode). Conditions that share a code in the
 * spec (e.g. SGN.4.0..2) share the enumerator.
 */
enum vtd_fault_reason {
	VTD_FR_NONE = 0x00,
	/* Legacy mode. */
	VTD_FR_ROOT_ENTRY_NP = 0x01,	/* LRT.2: root entry P clear */
	VTD_FR_CTX_ENTRY_NP = 0x02,	/* LCT.2: context entry P clear */
	VTD_FR_CTX_ENTRY_INV = 0x03,	/* LCT.4: invalid TT/AW in context */
	VTD_FR_ADDR_BEYOND_MGAW = 0x04,	/* LGN.1: input above the AGAW */
	VTD_FR_WRITE = 0x05,		/* LGN.2: write, W clear */
	VTD_FR_READ = 0x06,		/* LGN.3: read, R clear */
	VTD_FR_PAGING_ENTRY_INV = 0x07,	/* LSL.1: error accessing SL entry */
	VTD_FR_ROOT_TABLE_INV = 0x08,	/* LRT.1: error accessing root */
	VTD_FR_CTX_TABLE_INV = 0x09,	/* LCT.1: error accessing context */
	VTD_FR_ROOT_ENTRY_RSVD = 0x0a,	/* LRT.3: reserved field in root */
	VTD_FR_CTX_ENTRY_RSVD = 0x0b,	/* LCT.3: reserved field in ctx */
	VTD_FR_PAGING_ENTRY_RSVD = 0x0c, /* LSL.2: reserved field in SL */
	VTD_FR_CTX_ENTRY_TT = 0x0d,	/* LCT.5: translation request, TT
					 * does not allow it */
	/* Interrupt remapping. */
	VTD_FR_IR_REQ_RSVD = 0x20,	/* reserved field in the request */
	VTD_FR_IR_INDEX_OVER = 0x21,	/* index beyond the IRT size */
	VTD_FR_IR_ENTRY_P = 0x22,	/* IRTE P clear */
	VTD_FR_IR_ROOT_INVAL = 0x23,	/* error accessing the IRT */
	VTD_FR_IR_IRTE_RSVD = 0x24,	/* reserved field in IRTE */
	VTD_FR_IR_CFI_BLOCKED = 0x25,	/* compatibility format blocked */
	VTD_FR_IR_SID_ERR = 0x26,	/* source-id verification failed */
	VTD_FR_IR_PID_READ = 0x27,	/* error accessing a posted-
					 * interrupt descriptor */
	/* Scalable mode: root-table address register. */
	VTD_FR_RTADDR_INV_TTM = 0x30,	/* RTA.1: TTM reserved / unsupported */
	VTD_FR_RTADDR_TTM0_PASID = 0x31, /* RTA.2: legacy, request with PASID */
	VTD_FR_RTADDR_TTM0_PRQ = 0x32,	/* RTA.3: legacy, page request */
	/* Scalable mode: root table. */
	VTD_FR_SM_ROOT_ACCESS = 0x38,	/* SRT.1: error accessing root */
	VTD_FR_SM_ROOT_NP = 0x39,	/* SRT.2: UP/LP clear */
	VTD_FR_SM_ROOT_RSVD = 0x3a,	/* SRT.3: reserved field */
	/* Scalable mode: context table. */
	VTD_FR_SM_CTX_ACCESS = 0x40,	/* SCT.1: error accessing context */
	VTD_FR_SM_CTX_NP = 0x41,	/* SCT.2: P clear */
	VTD_FR_SM_CTX_RSVD = 0x42,	/* SCT.3: reserved field */
	VTD_FR_SM_CTX_INV = 0x43,	/* SCT.4: invalid programming */
	VTD_FR_SM_CTX_DTE = 0x44,	/* SCT.5: translation request, DTE 0 */
	VTD_FR_SM_CTX_PASIDE = 0x45,	/* SCT.6: request with PASID,
					 * PASIDE clear */
	VTD_FR_SM_PASID_TOO_BIG = 0x46,	/* SCT.7: PASID beyond PDTS */
	VTD_FR_SM_CTX_PRE = 0x47,	/* SCT.8: page request, PRE clear */
	VTD_FR_SM_RID_PASID_ERR = 0x48,	/* SCT.9: RID_PASID beyond PDTS */
	/* Scalable mode: PASID directory. */
	VTD_FR_SM_PASID_DIR_ACCESS = 0x50, /* SPD.1: error accessing */
	VTD_FR_SM_PASID_DIR_NP = 0x51,	/* SPD.2: P clear */
	VTD_FR_SM_PASID_DIR_RSVD = 0x52, /* SPD.3: reserved field */
	/* Scalable mode: PASID table. */
	VTD_FR_SM_PASID_ACCESS = 0x58,	/* SPT.1: error accessing */
	VTD_FR_SM_PASID_NP = 0x59,	/* SPT.2: P clear */
	VTD_FR_SM_PASID_RSVD = 0x5a,	/* SPT.3: reserved field */
	VTD_FR_SM_PASID_INV = 0x5b,	/* SPT.4: invalid PGTT/AW/FLPM */
	VTD_FR_SM_PASID_ERE = 0x5c,	/* SPT.5: execute request, ERE 0 */
	VTD_FR_SM_PASID_SRE = 0x5d,	/* SPT.6: supervisor request, SRE 0 */
	/* Scalable mode: first-level tables. */
	VTD_FR_SM_FL_ACCESS = 0x70,	/* SFL.1: error accessing FL entry */
	VTD_FR_SM_FL_NP = 0x71,		/* SFL.2: FL entry P clear */
	VTD_FR_SM_FL_RSVD = 0x72,	/* SFL.3: reserved field in FL */
	VTD_FR_SM_FL_PML4_ACCESS = 0x73, /* SFL.4: nested, FLPTR access */
	VTD_FR_SM_FL_NESTED_MGAW = 0x74, /* SFL.5: nested, FL table address
					  * beyond the SL width */
	VTD_FR_SM_FL_NESTED_PML4_R = 0x75, /* SFL.6 */
	VTD_FR_SM_FL_NESTED_R = 0x76,	/* SFL.7 */
	VTD_FR_SM_FL_NESTED_W = 0x77,	/* SFL.8 */
	/* Scalable mode: second-level tables. */
	VTD_FR_SM_SL_ACCESS = 0x78,	/* SSL.1: error accessing SL entry */
	VTD_FR_SM_SL_NP = 0x79,		/* SSL.2: SL entry R and W clear */
	VTD_FR_SM_SL_RSVD = 0x7a,	/* SSL.3: reserved field in SL */
	VTD_FR_SM_SL_PTR_INV = 0x7b,	/* SSL.4: invalid SL table pointer */
	VTD_FR_SM_SL_AD_NOSNOOP = 0x7c,	/* SSL.5 */
	/* Scalable mode: general. */
	VTD_FR_SM_NON_CANONICAL = 0x80,	/* SGN.1: FL input not canonical */
	VTD_FR_SM_US = 0x81,		/* SGN.2: user request, U/S clear */
	VTD_FR_SM_EXEC = 0x82,		/* SGN.3: execute not allowed */
	VTD_FR_SM_ADDR_BEYOND = 0x83,	/* SGN.4: input beyond the address
					 * width (SL input, nested GPA) */
	VTD_FR_SM_SL_ADDR_BEYOND = 0x84, /* SGN.5 */
	VTD_FR_SM_WRITE = 0x85,		/* SGN.6: write, no write permission */
	VTD_FR_SM_READ = 0x86,		/* SGN.7: read, no read permission */
	VTD_FR_SM_INTR_ADDR = 0x87,	/* SGN.8: access to the interrupt
					 * address range */
	VTD_FR_SM_FL_AD_NOSNOOP = 0x90,	/* SFL.9 */
};

#endif /* VTD_ARCH_H */

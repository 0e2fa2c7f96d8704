/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * net_iommu: an ethdev vdev PMD for an emulated NIC whose every DMA goes
 * through uiommu.
 *
 * Create ports with --vdev=net_iommu0,<devargs> or rte_vdev_init():
 *   - iommu=smmu|vtd|direct|off  the backend (default smmu); off: no IOMMU,
 *     DMA uses DPDK IOVAs directly (the baseline)
 *   - sid=N      StreamID / RID (0..65535; default 0x100 + ethdev port id)
 *   - pasid=N    queue q's DMA is tagged with PASID N + q; 0 (default):
 *     no PASID, every queue is attached at the RID
 *   - mode=strict|batch|lazy  invalidation (default strict). The PMD's
 *     own unmaps (memory freed, port stopped, rte_dev_dma_unmap()) are
 *     complete when they return in every mode: strict syncs the IOMMU once
 *     per page, batch and lazy once per event. lazy also makes the domain
 *     UIOMMU_INV_LAZY (the application's uiommu_unmap() calls defer) and
 *     flushes it every 10 ms while the port is started.
 *   - peer=NAME  this port's TX queue q arrives at NAME's RX queue q; name
 *     each port as the other's peer. Without a peer a port sinks TX and
 *     generates RX frames
 *   - pkt_len=N  length of generated frames, 60..9000 (default 64)
 *   - copy=0|1   1 (default): the device model moves every payload byte;
 *     0: only the first 64 bytes, every buffer still translated
 * An unknown key or a bad value fails the probe with a log naming the key.
 *
 * All DPDK memory is mapped into a port's domain at start (IOVA = DPDK
 * IOVA) and follows memory events; external memory is mapped with
 * rte_dev_dma_map(). Faulting DMAs drop the packet and count in xstats.
 */
#ifndef UIOMMU_NET_IOMMU_H
#define UIOMMU_NET_IOMMU_H

#include <stdint.h>

#include <uiommu.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The uiommu context shared by every net_iommu port of the process.
 * Valid while the port is open.
 *
 * @return the ctx, or NULL with rte_errno: EINVAL (not a net_iommu port),
 *   ENOENT (the port runs with iommu=off).
 */
struct uiommu_ctx *uiommu_net_iommu_ctx(uint16_t port_id);

/**
 * The IOMMU instance of a port (shared by the ports on the same backend).
 * @return the hw, or NULL with rte_errno EINVAL or ENOENT (iommu=off).
 */
struct uiommu_hw *uiommu_net_iommu_hw(uint16_t port_id);

/**
 * The PAGING domain a port's DMA goes through. The application may map
 * and unmap in it (uiommu_map(), uiommu_unmap()) like in any domain; ranges
 * of DPDK memory are the PMD's while the port is started.
 *
 * @return the domain, or NULL with rte_errno EINVAL or ENOENT (iommu=off).
 * Thread safety: control plane; valid until the port is closed.
 */
struct uiommu_domain *uiommu_net_iommu_domain(uint16_t port_id);

/**
 * Find an IOVA range of @p len bytes for the application's own mappings in
 * a port's domain: below 2^47 (the smallest input size of the backends:
 * VT-d first level), and clear of every DPDK memory IOVA the PMD maps,
 * including, with IOVA as VA, the whole VA reservation of each memseg
 * list (pages allocated later land there). External memory is the
 * application's and is not checked.
 *
 * @param len   bytes, a non-zero multiple of 4 KiB
 * @param iova  receives the range's base, 1 GiB aligned
 * @return 0; -EINVAL (bad @p len or NULL @p iova); -ERANGE (no such range).
 * Thread safety: control plane; takes EAL's memory read lock.
 */
int uiommu_net_iommu_iova_window(uint64_t len, uint64_t *iova);

/**
 * Hold the calling lcore online in the IOMMU context between bursts.
 *
 * By default each rx/tx burst on a port with an IOMMU resumes the lcore
 * at its start and pauses it at its end, so that an lcore that stops
 * polling never holds up an unmap; the resume costs a full memory fence
 * per burst. A held lcore skips both: it stays online and each burst ends
 * with a quiescent report, as an rte_rcu_qsbr reader in a polling loop
 * does. In exchange, every unmap in a net_iommu domain (memory freed,
 * port stopped or closed, rte_dev_dma_unmap(), uiommu_unmap() by the
 * application) waits until the held lcore's next burst ends. So while it
 * is held the lcore must keep calling rx/tx bursts on started net_iommu
 * ports with an IOMMU, and must not block on anything an unmap may hold:
 * locks, I/O, and EAL's memory (rte_malloc(), rte_free(), memzones),
 * whose locks the memory event callback holds while it unmaps. Call
 * uiommu_net_iommu_lcore_release() before the lcore stops polling.
 *
 * Takes effect at the end of the lcore's next burst; holding a held lcore
 * again does nothing. The hold outlives the ports.
 *
 * @return 0; -EINVAL if the caller is not an EAL lcore.
 * Thread safety: on the lcore itself, between bursts.
 */
int uiommu_net_iommu_lcore_hold(void);

/**
 * End uiommu_net_iommu_lcore_hold(): pause the calling lcore now, so that
 * unmaps stop waiting for it; its next burst resumes it and bursts pause
 * it again at their end. Releasing an lcore that is not held does nothing.
 *
 * @return 0; -EINVAL if the caller is not an EAL lcore.
 * Thread safety: on the lcore itself, between bursts; concurrently with
 * any control call.
 */
int uiommu_net_iommu_lcore_release(void);

#ifdef __cplusplus
}
#endif

#endif /* UIOMMU_NET_IOMMU_H */

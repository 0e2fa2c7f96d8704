#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run testpmd-iommu with --json and check its summary.

    check_run.py <testpmd-iommu> [EAL options] -- [app options]

Passes when the app exits 0 and the summary shows packets received and sent
on every port, no faulting DMA, and, when --churn-rate was asked for on
ports with an IOMMU, churn operations done, invalidated as --mode says:
strict: one strict unmap each; batch: deferred, one flush per --churn-batch
operations of a port; lazy: deferred, fewer flushes than operations.
The forwarding lcores are held online unless --no-hold was given.
"""
import json
import os
import subprocess
import sys
import tempfile


def check_invalidation(mode, churn, nb_iommu_ports):
    """What the churned domains' counters must show for @mode."""
    ops = churn['ops']
    if ops == 0 or churn['ext']:
        return []   # external memory: the PMD's unmaps, complete each
    strict, deferred = churn['unmaps_strict'], churn['unmaps_deferred']
    flushes = churn['flushes']
    if mode == 'strict':
        if strict < ops or deferred != 0:
            return [f'strict: {ops} ops, {strict} strict and {deferred} '
                    'deferred unmaps']
    elif mode == 'batch':
        # Each port flushes after every batch-th of its own operations.
        most = ops // churn['batch'] + nb_iommu_ports
        least = max(ops // churn['batch'] - nb_iommu_ports, 0)
        if deferred < ops or not least <= flushes <= most:
            return [f'batch: {ops} ops, {deferred} deferred unmaps, '
                    f'{flushes} flushes, expected {least}..{most}']
    elif mode == 'lazy':
        if deferred < ops or strict != 0 or flushes >= ops:
            return [f'lazy: {ops} ops, {strict} strict and {deferred} '
                    f'deferred unmaps, {flushes} flushes']
    return []


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory(prefix='tpi_') as tmp:
        path = os.path.join(tmp, 'summary.json')
        cmd = sys.argv[1:] + ['--json', path]
        print('running:', ' '.join(cmd), flush=True)
        rc = subprocess.run(cmd, check=False).returncode
        if rc != 0:
            sys.exit(f'FAIL: exit status {rc}')
        with open(path, encoding='utf-8') as f:
            summary = json.load(f)
    print(json.dumps(summary, indent=1))
    errors = []
    ports = summary['ports']
    if len(ports) < 2:
        errors.append(f'{len(ports)} ports, expected at least 2')
    for p in ports:
        for key in ('rx_packets', 'tx_packets'):
            if p[key] <= 0:
                errors.append(f"port {p['port']}: {key} = {p[key]}")
        if p['faults'] != 0 or p['hw_faults'] != 0:
            errors.append(f"port {p['port']}: faults {p['faults']}, "
                          f"hw_faults {p['hw_faults']}")
    churn = summary['churn']
    if churn['rate'] > 0 and any(p['iommu'] for p in ports) and \
            churn['ops'] <= 0:
        errors.append(f"churn at {churn['rate']}/s did no operation")
    held = '--no-hold' not in sys.argv
    if summary['config']['lcore_hold'] != held:
        errors.append(f"lcore_hold {summary['config']['lcore_hold']}, "
                      f"expected {held}")
    errors += check_invalidation(summary['config']['mode'], churn,
                                 sum(1 for p in ports if p['iommu']))
    if errors:
        sys.exit('FAIL: ' + '; '.join(errors))
    print('OK')


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run testpmd-iommu with --json and check its summary.

    check_run.py <testpmd-iommu> [EAL options] -- [app options]

Passes when the app exits 0 and the summary shows packets received and sent
on every port, no faulting DMA, and, when --churn-rate was asked for on
ports with an IOMMU, churn operations done.
"""
import json
import os
import subprocess
import sys
import tempfile


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
    if errors:
        sys.exit('FAIL: ' + '; '.join(errors))
    print('OK')


if __name__ == '__main__':
    main()

import { describe, expect, it } from 'vitest';
import { measureReaderPeers } from '../../bench/measureReaderPeers.ts';

describe('Function: measureReaderPeers', () => {
  it('serves 10,000 concurrent cold reads with one fetch where Powertools makes one per read', async () => {
    // Act
    const peers = await measureReaderPeers(3, 30);

    // Assess
    expect(peers.cold.oursCalls).toBe(1);
    expect(peers.cold.powertoolsCalls).toBe(10_000);
    expect(peers.powertoolsVersion).toMatch(/^2\.\d+\.\d+$/);
    expect(peers.hot.ours).toBeGreaterThan(0);
    expect(peers.hot.powertools).toBeGreaterThan(0);
    expect(peers.hot.ratioQuartiles[0]).toBeLessThanOrEqual(peers.hot.ratio);
    expect(peers.hot.ratio).toBeLessThanOrEqual(peers.hot.ratioQuartiles[1]);
  }, 60_000);
});

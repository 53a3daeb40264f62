// A script's memory series stays bounded however long it runs, keeps its order, and never
// loses the peak when samples are merged.
import { describe, expect, it } from 'vitest';
import { SampleSeries, thinPoints, type MemoryPoint } from '../../src/resources/sample-series.ts';

describe('SampleSeries', () => {
  it('keeps every sample until the limit, then at most `limit` points with the peak among them', () => {
    const series = new SampleSeries(8);
    for (let i = 0; i < 5; i++) series.add(i * 100, 1000 + i);
    expect(series.points()).toEqual([0, 1, 2, 3, 4].map((i) => [i * 100, 1000 + i]));
    const many = new SampleSeries(64);
    for (let i = 0; i < 10_000; i++) many.add(i * 500, i === 7_777 ? 999_999 : 1000 + (i % 50));
    const points = many.points();
    expect(points.length).toBeLessThanOrEqual(64);
    expect(points.length).toBeGreaterThanOrEqual(32);
    expect(points).toContainEqual([7_777 * 500, 999_999]);
    const times = points.map(([t]) => t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('thins a saved series the same way', () => {
    const points: MemoryPoint[] = Array.from({ length: 64 }, (_, i) => [i * 10, i === 40 ? 5000 : 100]);
    const thin = thinPoints(points, 16);
    expect(thin).toHaveLength(16);
    expect(thin).toContainEqual([400, 5000]);
    expect(thinPoints(points.slice(0, 3), 16)).toEqual(points.slice(0, 3));
  });
});

// Nothing lost on one Redis: three real `ergate worker` processes stand in for machines; one
// is SIGKILLed mid-script (recovery-case.ts; redis-cluster.test.ts runs the same on a cluster).
import { it } from 'vitest';
import { recoversKilledWorker, useRecoveryCluster } from './recovery-case.ts';

const QUEUE = 'recovery';
const cluster = useRecoveryCluster(QUEUE);

it('recovers the jobs of a SIGKILLed worker and reports every script once', () => recoversKilledWorker(cluster, QUEUE));

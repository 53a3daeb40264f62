// The reasons ergate aborts a scope with, as the task layer names them. The classes and
// the one wording of a cancellation live in ../internal/cancellation.ts (the script and
// function cores use them too); a fail-fast abort carries the sibling's failure as its cause.

export { AbortError, TimeoutError, createFailFastReason, describeCancellation } from '../internal/cancellation.ts';

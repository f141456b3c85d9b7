// The kernels of one KV dtype (KV_SEL): its tile stager, then for each query dtype its append
// (input of that dtype) and its attention kernels for every channels-per-lane width.
#include "kv_traits.cl"
#include "stage_tile.cl"

#undef Q_SEL
#define Q_SEL Q_BF16
#include "query_instances.cl"
#undef Q_SEL
#define Q_SEL Q_FP16
#include "query_instances.cl"

// The kernels of one KV dtype (KV_SEL) and one query / input dtype (Q_SEL).
#include "query_traits.cl"
#include "append.cl"
#undef CPL
#define CPL 1
#include "attention.cl"
#undef CPL
#define CPL 2
#include "attention.cl"
#undef CPL
#define CPL 4
#include "attention.cl"
#undef CPL
#define CPL 8
#include "attention.cl"
#undef CPL
#define CPL 16
#include "attention.cl"

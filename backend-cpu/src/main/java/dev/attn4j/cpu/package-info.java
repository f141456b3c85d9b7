/**
 * The pure-Java backend: always available, the embedded default and the fallback. Implements all
 * of the SPI (every KV dtype, granularity and layout, any head dim and block size, every option),
 * multi-threaded over sequence x KV head x KV split, dequantizing one cache row at a time in the
 * inner loop. Where to look: {@link dev.attn4j.cpu.CpuAttentionKernel} (attention over one work
 * item), {@link dev.attn4j.api.support.WorkSplit} (the plan's split, shared with the GPU backends), {@link dev.attn4j.cpu.KvRowReader}
 * (dequantization), {@link dev.attn4j.cpu.CpuQuantizer} (append).
 */
package dev.attn4j.cpu;

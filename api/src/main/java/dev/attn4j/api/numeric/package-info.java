/**
 * Conversions between float and the 16- and 8-bit formats attn4j stores: bfloat16, IEEE half,
 * OCP FP8 E4M3 (e4m3fn) and E5M2. For backends written in Java and for hosts preparing data.
 */
package dev.attn4j.api.numeric;

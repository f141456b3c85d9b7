package dev.attn4j.conformance;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The oracle on cases small enough to work out by hand. */
class ReferenceAttentionTest {
    private static final double EPS = 1e-12;

    @Test
    void oneKeyReturnsItsValue() {
        double[] q = {1, 2};
        double[][] k = {{3, -1}};
        double[][] v = {{5, 7}};
        ReferenceAttention.Result r = ReferenceAttention.run(new int[] {1}, new int[] {1}, q, k, v, 1, 1, 2, 0.5,
                true, 0, 0);
        assertArrayEquals(new double[] {5, 7}, r.out(), EPS);
        assertEquals(0.5 * (3 - 2), r.lse()[0], EPS);
    }

    @Test
    void equalLogitsAverageAndLseIsLogN() {
        double[] q = {0, 0};
        double[][] k = {{1, 2, 3, 4, 5, 6}};
        double[][] v = {{1, 0, 3, 0, 5, 3}};
        ReferenceAttention.Result r = ReferenceAttention.run(new int[] {1}, new int[] {3}, q, k, v, 1, 1, 2, 1,
                false, 0, 0);
        assertArrayEquals(new double[] {3, 1}, r.out(), EPS);
        assertEquals(Math.log(3), r.lse()[0], EPS);
    }

    @Test
    void causalIsBottomRightAligned() {
        // kvLen 3, qLen 2: query 0 sits at position 1 and sees keys 0..1, query 1 sees 0..2.
        double[] q = {0, 0};
        double[][] k = {{0, 0, 0}};
        double[][] v = {{2, 4, 9}};
        ReferenceAttention.Result r = ReferenceAttention.run(new int[] {2}, new int[] {3}, q, k, v, 1, 1, 1, 1,
                true, 0, 0);
        assertArrayEquals(new double[] {3, 5}, r.out(), EPS);
    }

    @Test
    void slidingWindowSeesTheLastWTokensIncludingItself() {
        double[] q = {0};
        double[][] k = {{0, 0, 0, 0}};
        double[][] v = {{1, 2, 3, 10}};
        ReferenceAttention.Result r = ReferenceAttention.run(new int[] {1}, new int[] {4}, q, k, v, 1, 1, 1, 1,
                true, 2, 0);
        assertArrayEquals(new double[] {6.5}, r.out(), EPS);
        r = ReferenceAttention.run(new int[] {1}, new int[] {4}, q, k, v, 1, 1, 1, 1, true, 1, 0);
        assertArrayEquals(new double[] {10}, r.out(), EPS);
    }

    @Test
    void softCapSquashesLogits() {
        double[] q = {1};
        double[][] k = {{100, 0}};
        double[][] v = {{1, 0}};
        ReferenceAttention.Result r = ReferenceAttention.run(new int[] {1}, new int[] {2}, q, k, v, 1, 1, 1, 1,
                false, 0, 2);
        double capped = 2 * Math.tanh(50);
        double w = Math.exp(capped) / (Math.exp(capped) + 1);
        assertArrayEquals(new double[] {w}, r.out(), EPS);
        assertEquals(Math.log(Math.exp(capped) + 1), r.lse()[0], EPS);
    }

    @Test
    void groupedQueryHeadsUseTheirKvHead() {
        // 4 query heads, 2 KV heads: heads 0,1 read KV head 0; heads 2,3 read KV head 1.
        double[] q = new double[4];
        double[][] k = {{0, 0}};
        double[][] v = {{7, 11}};
        ReferenceAttention.Result r = ReferenceAttention.run(new int[] {1}, new int[] {1}, q, k, v, 4, 2, 1, 1,
                true, 0, 0);
        assertArrayEquals(new double[] {7, 7, 11, 11}, r.out(), EPS);
    }
}

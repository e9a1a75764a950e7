package dev.plateau.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Algorithm 1 on profiles worked by hand (see each comment). */
class Algorithm1Test {
    private static final double N = Double.NaN;
    // layer:                          0    1     2    3     4     5    6     7
    private static final double[] CKA = {N, 0.90, 0.95, 0.50, 0.97, 0.97, 0.60, 0.99};

    private static List<Algorithm1.Block> blocks(int... bounds) {
        List<Algorithm1.Block> out = new java.util.ArrayList<>();
        for (int i = 0; i < bounds.length; i += 2) {
            out.add(new Algorithm1.Block(bounds[i], bounds[i + 1]));
        }
        return out;
    }

    @Test
    void blocksAnchorsPoolAndTopK() {
        // tau 0.9: layers 3 (0.50) and 6 (0.60) start new blocks -> [0..2] [3..5] [6..7]
        Algorithm1.Selection s = Algorithm1.select(CKA, true, 0.90, 3);
        assertEquals(blocks(0, 2, 3, 5, 6, 7), s.blocks());
        assertEquals(List.of(0, 3, 6), s.anchors());
        assertEquals(List.of(1, 2, 4, 5, 7), s.pool());
        // most similar: 7 (0.99), then 4 and 5 tied at 0.97 -> both
        assertEquals(List.of(4, 5, 7), s.removed());
        assertTrue(s.warnings().isEmpty());
        assertEquals(List.of(2, 4, 5, 7), Algorithm1.select(CKA, true, 0.90, 4).removed());
    }

    @Test
    void tiesGoToTheEarlierLayer() {
        // 4 and 5 tie at 0.97: with k = 2 after 7, layer 4 is taken
        assertEquals(List.of(4, 7), Algorithm1.select(CKA, true, 0.90, 2).removed());
        double[] flat = {N, 0.9, 0.9, 0.9, 0.9};
        assertEquals(List.of(1, 2), Algorithm1.select(flat, true, Algorithm1.autoTau(flat, true, 2), 2).removed());
    }

    @Test
    void autoTauIsTheKthMostSimilarScore() {
        // ranking: 7 .99, 4 .97, 5 .97, 2 .95, 1 .90, 6 .60, 3 .50
        assertEquals(0.97, Algorithm1.autoTau(CKA, true, 3));
        assertEquals(0.95, Algorithm1.autoTau(CKA, true, 4));
        assertEquals(0.50, Algorithm1.autoTau(CKA, true, 7));
        assertEquals(0.99, Algorithm1.autoTau(CKA, true, 0));
        assertEquals(List.of(4, 5, 7), Algorithm1.select(CKA, true, 0.97, 3).pool());
        assertThrows(IllegalArgumentException.class, () -> Algorithm1.autoTau(CKA, true, 8));
    }

    @Test
    void tauAboveEveryScoreEmptiesThePoolAndSaysWhatTauWouldDo() {
        Algorithm1.Selection s = Algorithm1.select(CKA, true, 1.0, 2);
        assertEquals(8, s.blocks().size(), "every layer its own block");
        assertEquals(List.of(), s.pool());
        assertEquals(List.of(), s.removed());
        assertEquals("only 0 layers reach tau = 1.0000, fewer than k = 2; removed 0. Auto-tau for k = 2 is 0.9700",
                s.warnings().getFirst());
    }

    @Test
    void kLargerThanThePoolRemovesThePool() {
        Algorithm1.Selection s = Algorithm1.select(CKA, true, 0.96, 5);
        assertEquals(List.of(4, 5, 7), s.removed());
        assertTrue(s.warnings().getFirst().endsWith("Auto-tau for k = 5 is 0.9000"), s.warnings().getFirst());
        Algorithm1.Selection all = Algorithm1.select(CKA, true, 0.0, 9);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), all.removed());
        assertTrue(all.warnings().getFirst().startsWith("k = 9 exceeds the 7 removable layers"));
    }

    @Test
    void distancesCountSmallerAsMoreSimilar() {
        double[] mse = {N, 0.10, 0.05, 2.0, 0.01, 0.01, 1.5, 0.001};
        Algorithm1.Selection s = Algorithm1.select(mse, false, 0.10, 3);
        assertEquals(List.of(1, 2, 4, 5, 7), s.pool());
        assertEquals(List.of(4, 5, 7), s.removed());
        assertEquals(0.01, Algorithm1.autoTau(mse, false, 2));
    }

    @Test
    void aSingleLayerModuleHasOneBlockAndNothingToRemove() {
        Algorithm1.Selection s = Algorithm1.select(new double[] {N}, true, 0.5, 0);
        assertEquals(blocks(0, 0), s.blocks());
        assertEquals(List.of(), s.removed());
        assertThrows(IllegalArgumentException.class, () -> Algorithm1.autoTau(new double[] {N}, true, 0));
    }
}

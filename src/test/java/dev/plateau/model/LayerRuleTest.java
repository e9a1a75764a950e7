package dev.plateau.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The families' rules on the paper's Table 5 plans and on plans that break them. */
class LayerRuleTest {
    private static final LayerParity DIT = new LayerParity("dit", 2, "cross", "self");
    private static final LayerParity EXPERT = new LayerParity("expert", 2, "joint", "cross");

    @Test
    void paperPlansKeepParity() {
        assertEquals(Optional.empty(), DIT.violation(Map.of("dit", 16),
                Map.of("dit", Set.of(1, 2, 4, 5, 6, 7, 10, 11))));
        assertEquals(Optional.empty(), EXPERT.violation(Map.of("expert", 16),
                Map.of("expert", Set.of(1, 2, 5, 6, 14, 15))));
    }

    @Test
    void removingOneLayerShiftsTheRoleOfEveryLaterLayer() {
        String why = DIT.violation(Map.of("dit", 16), Map.of("dit", Set.of(1))).orElseThrow();
        // kept: 0, 2, 3, ... -> original 2 (cross) lands on position 1 (self)
        assertEquals("dit layer 2 (cross) would move to position 1, which is self", why);
    }

    @Test
    void removingTheLastLayerKeepsParity() {
        assertEquals(Optional.empty(), DIT.violation(Map.of("dit", 16), Map.of("dit", Set.of(15))));
    }

    @Test
    void periodThreeOnlyCaresAboutMultiplesOfThree() {
        LayerParity every3 = new LayerParity("expert", 3, "joint", "cross");
        // kept 0,1,2,3,5: original 5 (cross) lands on position 4 (cross) although 5 and 4 differ mod 3
        assertEquals(Optional.empty(), every3.violation(Map.of("expert", 6), Map.of("expert", Set.of(4))));
        assertTrue(every3.violation(Map.of("expert", 6), Map.of("expert", Set.of(1))).isPresent());
    }

    @Test
    void tiedDepthComparesKeptCounts() {
        TiedDepth tied = new TiedDepth("vlm", "expert", "lockstep");
        Map<String, Integer> depths = Map.of("vlm", 18, "expert", 18);
        assertEquals(Optional.empty(), tied.violation(depths,
                Map.of("vlm", Set.of(1, 2, 4, 6, 8, 9), "expert", Set.of(1, 2, 4, 6, 8, 9))));
        assertEquals(Optional.of("vlm would keep 12 layers but expert 18; lockstep"),
                tied.violation(depths, Map.of("vlm", Set.of(1, 2, 4, 6, 8, 9))));
    }

    @Test
    void depthMultipleNeedsADivisorWithAnOddRatioForPeriodTwo() {
        DepthMultiple rule = new DepthMultiple("vlm", "expert", 2);
        assertEquals(Optional.empty(), rule.violation(Map.of("vlm", 15, "expert", 5), Map.of()));
        assertTrue(rule.violation(Map.of("vlm", 16, "expert", 8), Map.of()).orElseThrow().contains("ratio 2"));
        assertTrue(rule.violation(Map.of("vlm", 16, "expert", 5), Map.of()).orElseThrow()
                .contains("not a multiple"));
    }
}

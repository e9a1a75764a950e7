package dev.plateau.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.Metric;
import dev.plateau.analysis.ModuleAnalysis;
import dev.plateau.analysis.SimilarityMatrix;
import dev.plateau.model.StandardRules;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class PlannerTest {

    /** A module whose adjacent CKA is the given profile (the rest of the matrix does not matter to Algorithm 1). */
    private static ModuleAnalysis module(String name, double... adjacent) {
        int n = adjacent.length;
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            m[i][i] = 1;
            if (i > 0) {
                m[i][i - 1] = adjacent[i];
                m[i - 1][i] = adjacent[i];
            }
        }
        return new ModuleAnalysis(name, 100, 8, Map.of(Metric.CKA, new SimilarityMatrix(Metric.CKA, m, List.of())));
    }

    private static Analysis pi0Like() {
        double[] vlm = {0, 0.9, 0.95, 0.5, 0.97, 0.97, 0.6, 0.99};
        double[] expert = {0, 0.99, 0.2, 0.3, 0.4, 0.98, 0.97, 0.1};
        return new Analysis("acts", Map.of("family", "pi0"), Map.of("vlm", module("vlm", vlm),
                "expert", module("expert", expert)));
    }

    @Test
    void aTiedModuleRemovesItsPartnersLayersChosenOnThePartnersProfile() {
        Plan plan = Planner.plan(pi0Like(), "pi0", StandardRules.pi0(), new Criterion.Similarity(Metric.CKA),
                OptionalDouble.empty(), Map.of("vlm", 3));
        // the three highest adjacent CKA of the VLM: 0.99 (7), 0.97 (4), 0.97 (5)
        assertEquals(List.of(4, 5, 7), plan.modules().get("vlm").remove());
        assertEquals(List.of(4, 5, 7), plan.modules().get("expert").remove());
        assertTrue(plan.modules().get("expert").notes().getFirst().startsWith("removes the same layers as vlm"));
        assertEquals(List.of(), plan.problems());
    }

    @Test
    void untiedEachModuleIsPlannedOnItsOwnProfileWithTheSameBudget() {
        Plan plan = Planner.plan(pi0Like(), "pi0", StandardRules.pi0(), new Criterion.Similarity(Metric.CKA),
                Map.of(), Map.of("vlm", 3), false);
        assertEquals(List.of(4, 5, 7), plan.modules().get("vlm").remove());
        // the expert's own three highest: 0.99 (1), 0.98 (5), 0.97 (6)
        assertEquals(List.of(1, 5, 6), plan.modules().get("expert").remove());
        assertEquals(List.of(), plan.problems());
    }

    @Test
    void unequalBudgetsForTiedModulesAreRefusedTiedAndAProblemUntied() {
        IllegalArgumentException tied = assertThrows(IllegalArgumentException.class, () -> Planner.plan(pi0Like(),
                "pi0", StandardRules.pi0(), new Criterion.Similarity(Metric.CKA), OptionalDouble.empty(),
                Map.of("vlm", 3, "expert", 2)));
        assertTrue(tied.getMessage().startsWith("vlm and expert remove the same layers"), tied.getMessage());
        Plan plan = Planner.plan(pi0Like(), "pi0", StandardRules.pi0(), new Criterion.Similarity(Metric.CKA),
                Map.of(), Map.of("vlm", 3, "expert", 2), false);
        assertEquals(1, plan.problems().size());
        assertTrue(plan.problems().getFirst().startsWith("vlm would keep 5 layers but expert 6"),
                plan.problems().getFirst());
    }

    @Test
    void keepFirstDropsTheLastLayers() {
        Plan plan = Planner.plan(pi0Like(), "pi0", StandardRules.pi0(), new Criterion.KeepFirst(),
                OptionalDouble.empty(), Map.of("vlm", 2));
        assertEquals(List.of(6, 7), plan.modules().get("vlm").remove());
        assertTrue(Double.isNaN(plan.modules().get("vlm").tau()));
    }

    @Test
    void randomIsSeededAndKeepsParity() {
        Analysis a = new Analysis("acts", Map.of(), Map.of("dit", module("dit", new double[16])));
        for (long seed = 0; seed < 20; seed++) {
            Plan plan = Planner.plan(a, "gr00t_n1_5", StandardRules.gr00t(true), new Criterion.Random(seed),
                    OptionalDouble.empty(), Map.of("dit", 5));
            List<Integer> removed = plan.modules().get("dit").remove();
            assertEquals(5, removed.size());
            assertEquals(List.of(), plan.problems(), "seed " + seed + ": " + removed);
            Plan again = Planner.plan(a, "gr00t_n1_5", StandardRules.gr00t(true), new Criterion.Random(seed),
                    OptionalDouble.empty(), Map.of("dit", 5));
            assertEquals(removed, again.modules().get("dit").remove(), "same seed, same plan");
        }
    }

    @Test
    void aGivenTauAppliesToEveryModule() {
        Plan plan = Planner.plan(pi0Like(), "pi0", List.of(), new Criterion.Similarity(Metric.CKA),
                OptionalDouble.of(0.96), Map.of("vlm", 5, "expert", 5));
        assertEquals(List.of(4, 5, 7), plan.modules().get("vlm").remove());
        assertTrue(plan.modules().get("vlm").notes().getFirst().startsWith("only 3 layers reach tau = 0.9600"));
    }

    @Test
    void unknownModulesAndMissingMetricsAreExplained() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Planner.plan(
                pi0Like(), "pi0", List.of(), new Criterion.KeepFirst(), OptionalDouble.empty(), Map.of("dit", 1)));
        assertTrue(unknown.getMessage().contains("no module 'dit'"), unknown.getMessage());
        IllegalArgumentException metric = assertThrows(IllegalArgumentException.class, () -> Planner.plan(
                pi0Like(), "pi0", List.of(), new Criterion.Similarity(Metric.MSE), OptionalDouble.empty(),
                Map.of("vlm", 1)));
        assertTrue(metric.getMessage().contains("run plateau analyze with --metric mse"), metric.getMessage());
    }
}

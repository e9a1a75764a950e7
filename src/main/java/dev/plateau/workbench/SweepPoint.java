package dev.plateau.workbench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One budget of a sweep: what removing {@code k} layers of a module (and of the module tied to it) removes, costs and
 * gives up.
 *
 * @param module          the module swept
 * @param k               layers removed from it
 * @param removed         the removal set of every module the plan touches, in the model's order (a tied module
 *                        removes the same count)
 * @param params          parameters of the pruned model
 * @param trainableParams parameters its fine-tuning trains under the family's default settings
 * @param gflops          forward GFLOPs per calibration sample (NaN without token counts)
 * @param latencyFraction the predicted forward time as a share of the base model's: the pruned GFLOPs over the base's
 * @param adjacentCka     the sum over the removed layers of their adjacent CKA (with the layer before): how alike
 *                        the removed layers were to their input
 * @param changeRemoved   the sum over the removed layers of 1 - adjacent CKA: how much change of representation the
 *                        removed layers made, the similarity given up
 */
public record SweepPoint(String module, int k, Map<String, List<Integer>> removed, long params, long trainableParams,
                         double gflops, double latencyFraction, double adjacentCka, double changeRemoved) {

    public SweepPoint {
        removed = Collections.unmodifiableMap(new LinkedHashMap<>(removed));
    }
}

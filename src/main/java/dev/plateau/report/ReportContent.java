package dev.plateau.report;

import dev.plateau.analysis.Analysis;
import dev.plateau.model.ModelSpec;
import dev.plateau.prune.Plan;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a study report shows.
 *
 * @param title        the page's title (the model and the checkpoint's folder name)
 * @param spec         the model: family, modules, parameters
 * @param analysis     the calibration's analysis (its metadata: data, samples, seed, device)
 * @param metric       the metric of the figures and of Algorithm 1
 * @param plan         the plan, if one was made
 * @param estimates    rows "what", "before", "after", "change" of the cost estimates
 * @param criteria     per module, what each criterion removes at the plan's k ("criterion" → "removed")
 * @param latent       the latent geometry figures (SVG), when computed, with their captions
 * @param provenance   "what" → "value": Plateau's version, the checkpoint, its digest, the data, samples, seed,
 *                     device, the date
 */
public record ReportContent(String title, ModelSpec spec, Analysis analysis, String metric, Optional<Plan> plan,
                            List<List<String>> estimates, Map<String, Map<String, String>> criteria,
                            Map<String, String> latent, Map<String, String> provenance) {
}

/**
 * The study report: one self-contained HTML page (inline styles, every figure an inline SVG) with the model, each
 * module's heatmap and profile with the plan drawn on them, the plan, the estimates, the criteria compared, the latent
 * geometry when computed, and the provenance.
 */
package dev.plateau.report;

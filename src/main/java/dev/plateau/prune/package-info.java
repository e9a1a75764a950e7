/**
 * Choosing what to remove: Algorithm 1 of CLP (blocks of similar adjacent layers, anchors, candidate pool, TopK,
 * auto-tau) and the baselines (random, keep-first), under the model's rules, with the best valid removal set
 * proposed when a choice breaks a rule; the pruning plan and its file; the checkpoint surgery (kept layers renumbered,
 * depth keys and per-layer config lists edited as the family's {@link dev.plateau.model.FamilyProfile} says), the
 * export with its record, and the verifier that checks an export against what the original loader expects.
 */
package dev.plateau.prune;

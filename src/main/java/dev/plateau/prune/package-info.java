/**
 * Choosing what to remove: Algorithm 1 of CLP (blocks of similar adjacent layers, anchors, candidate pool, TopK,
 * auto-tau) and the baselines (random, keep-first), under the model's rules, with the best valid removal set
 * proposed when a choice breaks a rule; the pruning plan and its file. (Checkpoint surgery and export come next.)
 */
package dev.plateau.prune;

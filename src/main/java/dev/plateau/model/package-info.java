/**
 * What a checkpoint is: its family (SmolVLA, pi0, GR00T-N1.5, or a Hugging Face decoder LLM), detected from
 * config.json and tensor names; the prunable modules of each family (canonical name, layer-name prefix, depth, hidden
 * size, parameters per layer, the config keys that set the depth) and the rules a pruning plan must keep (layer-index
 * parity, tied depths), with every layer of a module required to store the same tensors; a decoder's rotary scaling
 * as its config states it ({@link dev.plateau.model.RopeScaling}, unknown types refused). Also each family's exact
 * tensor layout for given dimensions, which builds the synthetic
 * checkpoints of the tests, benchmarks and demo (small, or real-size with unwritten data).
 *
 * <p>Depends only on {@link dev.plateau.checkpoint}.
 */
package dev.plateau.model;

/**
 * Fine-tuning a pruned checkpoint with the original training code: the recipes (lerobot-train for SmolVLA, pi0 and pi0.5,
 * Isaac-GR00T's gr00t_finetune.py for GR00T-N1.5) as exact argument lists for one GPU, several (accelerate or
 * torchrun) or a Slurm job; the trainer as a child process whose log is kept and parsed into step, loss and
 * learning rate; the run folder beside the export.
 */
package dev.plateau.finetune;

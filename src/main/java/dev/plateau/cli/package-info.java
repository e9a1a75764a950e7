/**
 * The {@code plateau} command line (picocli): one subcommand per verb of the pipeline, over the same workbench the
 * window uses. Exit code 0 on success, 2 on bad input with one clear line on stderr, 1 on an internal error.
 */
package dev.plateau.cli;

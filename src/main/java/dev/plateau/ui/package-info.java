/**
 * The JavaFX workbench window: views over headless-testable view models ({@link dev.plateau.ui.SessionViewModel},
 * {@link dev.plateau.ui.Jobs}) and chart factories that render without a window ({@code Charts}, figure export to
 * PNG, SVG, CSV and JSON). Reaches the core only through {@link dev.plateau.workbench.Workbench}.
 */
package dev.plateau.ui;

package dev.plateau.cli;

import static dev.plateau.cli.Cli.plateau;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** {@code plateau} alone opens the window, as the installed launcher does; {@code --help} lists the commands. */
class PlateauCommandTest {

    @Test
    void noCommandOpensTheWindowNotTheHelp() {
        String display = System.getenv("DISPLAY");
        String wayland = System.getenv("WAYLAND_DISPLAY");
        assumeTrue((display == null || display.isBlank()) && (wayland == null || wayland.isBlank()),
                "with a display the window would open and wait for a person");
        Cli.Result r = plateau();
        assertEquals(Main.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().startsWith("plateau: no display to open the window on"), r.err());
        assertFalse(r.out().contains("Commands:"), "no usage text: " + r.out());
    }

    @Test
    void helpListsTheCommands() {
        Cli.Result r = plateau("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Commands:") && r.out().contains("calibrate"), r.out());
    }
}

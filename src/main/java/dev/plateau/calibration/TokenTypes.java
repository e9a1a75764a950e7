package dev.plateau.calibration;

import dev.plateau.analysis.TokenType;
import dev.plateau.model.Family;
import java.util.List;

/**
 * The token types each family's modules receive, as the calibration's input preparation lays them out: what the
 * per-type statistics are allocated for before a run, and what its memory estimate counts.
 */
final class TokenTypes {
    private TokenTypes() {
    }

    static List<TokenType> of(Family family, String module) {
        return switch (module) {
            case "vision" -> List.of(TokenType.IMAGE);
            case "vlm" -> family == Family.SMOLVLA ? List.of(TokenType.IMAGE, TokenType.LANGUAGE, TokenType.STATE)
                    : List.of(TokenType.IMAGE, TokenType.LANGUAGE);
            case "vl_self_attention" -> List.of(TokenType.IMAGE, TokenType.LANGUAGE);
            case "expert" -> family == Family.PI0 ? List.of(TokenType.STATE, TokenType.ACTION)
                    : List.of(TokenType.ACTION);
            case "dit" -> List.of(TokenType.STATE, TokenType.FUTURE, TokenType.ACTION);
            default -> List.of(TokenType.LANGUAGE);
        };
    }
}

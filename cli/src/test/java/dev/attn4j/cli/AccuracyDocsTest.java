package dev.attn4j.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The user guide's accuracy table and advice are what the code computes today, not a hand copy. */
class AccuracyDocsTest {
    @Test
    void theUserGuidesAccuracySectionIsCurrent() throws IOException {
        String guide = Files.readString(Path.of("../docs/USER-GUIDE.md"));
        int begin = guide.indexOf(AccuracyMarkdown.BEGIN);
        int end = guide.indexOf(AccuracyMarkdown.END);
        assertTrue(begin >= 0 && end > begin, "docs/USER-GUIDE.md has no accuracy section between the markers");
        String inGuide = guide.substring(begin, end + AccuracyMarkdown.END.length()) + "\n";
        assertEquals(AccuracyMarkdown.section(), inGuide,
                "docs/USER-GUIDE.md's accuracy section is stale: replace it with the output of `attn4j accuracy --markdown`");
    }
}

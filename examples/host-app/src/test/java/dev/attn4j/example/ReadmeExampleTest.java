package dev.attn4j.example;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's host-application program is this module's HostApp.java, word for word. */
class ReadmeExampleTest {

    @Test
    void theReadmeShowsTheExampleAsItIs() throws IOException {
        String readme = Files.readString(Path.of("../../README.md"));
        String source = Files.readString(Path.of("src/main/java/dev/attn4j/example/HostApp.java"));
        assertTrue(readme.contains("```java\n" + source + "```\n"),
                "README.md's 'In a host application' block differs from HostApp.java: copy the file into it");
    }
}

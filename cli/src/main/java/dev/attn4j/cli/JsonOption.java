package dev.attn4j.cli;

import picocli.CommandLine.Option;

/** The {@code --json} flag of the commands that print a report, declared once (a picocli mixin). */
final class JsonOption {
    @Option(names = "--json", description = "Print one JSON object instead of the text table(s).")
    boolean json;
}

/**
 * The {@code attn4j} command. It names no backend: the selector binds whichever backend modules are
 * on the module path (or in a jlink image), as on the class path.
 */
module dev.attn4j.cli {
    requires dev.attn4j.selector;
    requires dev.attn4j.conformance;
    requires info.picocli;
    requires me.tongfei.progressbar;

    // picocli reads the commands' annotated fields and sets them reflectively.
    opens dev.attn4j.cli to info.picocli;
}

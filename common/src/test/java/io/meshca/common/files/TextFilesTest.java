package io.meshca.common.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFilesTest {

    private static final byte[] DER_START = {0x30, (byte) 0x82, 0x01, (byte) 0xff, (byte) 0xa0, 0x03};

    @TempDir
    Path tmp;

    @Test
    void utf8Text_isRead() throws IOException {
        Path file = Files.writeString(tmp.resolve("c.yaml"), "trustDomain: é.org\n");

        assertThat(TextFiles.readUtf8(file, "config file")).isEqualTo("trustDomain: é.org\n");
    }

    @Test
    void binaryFile_isNotUtf8Text() throws IOException {
        Path file = Files.write(tmp.resolve("c.yaml"), DER_START);

        assertThatThrownBy(() -> TextFiles.readUtf8(file, "config file"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("config file " + file + " is not UTF-8 text");
    }

    @Test
    void binaryPem_isNotAPemFile_andTheMessageSaysHowToConvertDer() throws IOException {
        Path file = Files.write(tmp.resolve("ca.der"), DER_START);

        assertThatThrownBy(() -> TextFiles.readPem(file, "trust bundle"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("trust bundle " + file + " is not a PEM file")
                .hasMessageContaining("openssl x509 -inform der")
                .hasMessageNotContaining("Input length");
    }

    @Test
    void missingFile_saysSo() {
        Path file = tmp.resolve("none.pem");

        assertThatThrownBy(() -> TextFiles.readPem(file, "trust bundle"))
                .hasMessage("trust bundle " + file + " does not exist");
    }

    @Test
    void directory_isUnreadable_namingTheCause() {
        assertThatThrownBy(() -> TextFiles.readUtf8(tmp, "config file"))
                .hasMessageStartingWith("cannot read config file " + tmp + ": ")
                .hasMessageNotContaining("\n");
    }
}

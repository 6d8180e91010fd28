package io.meshca.agent.attestation.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JavaCommandLineTest {

    static Stream<Arguments> commandLines() {
        return Stream.of(
                // command line (space separated)                                        main class             jar
                Arguments.of("java io.demo.Orders", "io.demo.Orders", null),
                Arguments.of(
                        "/usr/lib/jvm/java-17/bin/java -Xmx64m -Dk=v io.demo.Orders --port 1", "io.demo.Orders", null),
                Arguments.of("java -cp a.jar:b.jar io.demo.Payments", "io.demo.Payments", null),
                Arguments.of("java -classpath lib/* io.demo.Payments", "io.demo.Payments", null),
                Arguments.of("java --class-path lib io.demo.Payments", "io.demo.Payments", null),
                Arguments.of("java --class-path=lib io.demo.Payments", "io.demo.Payments", null),
                Arguments.of("java -p mods --add-modules ALL-SYSTEM io.demo.Main", "io.demo.Main", null),
                Arguments.of("java --add-opens java.base/java.lang=ALL-UNNAMED --add-exports a/b=c Main", "Main", null),
                Arguments.of("java --add-opens=java.base/java.lang=ALL-UNNAMED Main", "Main", null),
                Arguments.of("java --module-path mods --enable-native-access ALL-UNNAMED Main", "Main", null),
                Arguments.of("java -jar /opt/demo/orders.jar -port 1", null, "orders.jar"),
                Arguments.of("java -Xss1m -cp x.jar -jar payments.jar", null, "payments.jar"),
                Arguments.of("java @opts.txt io.demo.Main", "io.demo.Main", null),
                Arguments.of("java Hello.java", "Hello.java", null),
                Arguments.of("java -m app/io.demo.Main", null, null),
                Arguments.of("java --module=app/io.demo.Main", null, null),
                Arguments.of("java -cp lib", null, null),
                Arguments.of("java -jar", null, null),
                Arguments.of("java -version", null, null),
                Arguments.of("/usr/bin/python3 io.demo.Orders", null, null),
                Arguments.of("javac Main.java", null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commandLines")
    void parsesWhatTheJavaLauncherRuns(String commandLine, String mainClass, String jar) {
        JavaCommandLine parsed = JavaCommandLine.parse(Arrays.asList(commandLine.split(" ")));

        assertThat(parsed.mainClass().orElse(null)).isEqualTo(mainClass);
        assertThat(parsed.jarFileName().orElse(null)).isEqualTo(jar);
    }
}

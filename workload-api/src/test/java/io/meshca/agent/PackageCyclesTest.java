package io.meshca.agent;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** No package of this module imports a package that imports it back, directly or around a circle. */
@AnalyzeClasses(packages = "io.meshca.agent", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageCyclesTest {

    @ArchTest
    static final ArchRule noPackageCycles =
            slices().matching("io.meshca.agent.(**)").should().beFreeOfCycles();
}

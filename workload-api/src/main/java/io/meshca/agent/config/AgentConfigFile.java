package io.meshca.agent.config;

import java.util.Map;

/**
 * The agent's YAML config file as written: every key optional, named exactly like the {@code agent
 * run} flag that overrides it. Unknown keys are rejected by {@link io.meshca.common.config.YamlConfig}.
 */
public final class AgentConfigFile {
    public String trustDomain;
    public String serverAddress;
    public Integer serverPort;
    public String socketPath;
    public String socketMode;
    public String socketGroup;
    public String trustBundle;
    public String joinToken;
    public String joinTokenFile;
    public String dataDir;
    public String sdsDefaultSvidName;
    public String sdsDefaultBundleName;
    public String sdsDefaultAllBundlesName;
    public Boolean sdsDisableSpiffeCertValidation;
    /** {@code kind -> plugin name -> settings}, read by {@link io.meshca.common.plugin.PluginsConfig}. */
    public Map<String, Object> plugins;
}

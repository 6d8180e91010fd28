package io.meshca.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * The YAML shape of the server config file. Keys mirror the {@code run} flags; durations are written
 * as {@code 90s}, {@code 10m}, {@code 24h} (or plain seconds). Unknown keys are an error (YamlConfig).
 */
public final class ServerConfigFile {
    @JsonProperty
    public String trustDomain;

    @JsonProperty
    public String dataDir;

    @JsonProperty
    public String bindAddress;

    @JsonProperty
    public Integer serverPort;

    @JsonProperty
    public String socketPath;

    @JsonProperty
    public String caTtl;

    @JsonProperty
    public String defaultX509SvidTtl;

    @JsonProperty
    public String agentSvidTtl;

    @JsonProperty
    public String joinTokenTtl;

    /** Short for {@code plugins: { keyManager: { <name>: {} } }}. */
    @JsonProperty
    public String keyManager;

    @JsonProperty
    public String auditWrites;

    @JsonProperty
    public Integer signingQueueSize;

    @JsonProperty
    public String databaseUrl;

    @JsonProperty
    public String jwtKeyType;

    @JsonProperty
    public String defaultJwtSvidTtl;

    @JsonProperty
    public FederationConfigFile.Endpoint bundleEndpoint;

    @JsonProperty
    public Map<String, FederationConfigFile.Relationship> federatesWith;

    @JsonProperty
    public FederationConfigFile.Refresh federationRefresh;

    @JsonProperty
    public IstioCaConfigFile istioCa;

    /** {@code kind -> plugin name -> the plugin's settings}; see ServerCatalog. */
    @JsonProperty
    public Map<String, Object> plugins;
}

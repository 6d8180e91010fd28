package io.meshca.common.selector;

import io.meshca.common.selector.KeyedSelectorVocabulary.Rule;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code aws_iid} node selectors, {@code aws_iid:<key>:<value>}: what the server reads from an EC2
 * instance identity document that AWS signed. The names are SPIRE's, so that policies carry over. SPIRE's
 * {@code tag}, {@code sg} and {@code iamrole} selectors come from the EC2 and IAM APIs, not from the
 * document; meshca does not call those APIs, so an entry naming them would never match and is refused.
 */
public final class AwsIidSelectors {

    public static final String TYPE = "aws_iid";
    /** The AWS account the instance belongs to: {@code account_id:123456789012}. */
    public static final String ACCOUNT_ID = "account_id";
    /** The availability zone: {@code az:us-west-2b}. */
    public static final String AZ = "az";
    /** The region: {@code region:us-west-2}. */
    public static final String REGION = "region";
    /** The AMI the instance was launched from: {@code image:id:ami-5fb8c835}. */
    public static final String IMAGE_ID = "image:id";
    /** The instance: {@code instance:id:i-0b22a22eec53b9321}. */
    public static final String INSTANCE_ID = "instance:id";

    public static final String BAD_ACCOUNT_ID = "must be a 12-digit AWS account ID";
    public static final String BAD_ZONE = "must be an AWS region or zone name (lowercase letters, digits, '-')";
    public static final String BAD_IMAGE_ID = "must be id:<AMI ID>, e.g. image:id:ami-5fb8c835";
    public static final String BAD_INSTANCE_ID = "must be id:<instance ID>, e.g. instance:id:i-0b22a22eec53b9321";

    public static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
    /** Regions ({@code us-gov-west-1}) and zones ({@code us-west-2b}, local zones {@code us-west-2-lax-1a}). */
    public static final Pattern ZONE = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)+");

    public static final Pattern AMI = Pattern.compile("ami-[0-9a-f]{8,17}");
    public static final Pattern INSTANCE = Pattern.compile("i-[0-9a-f]{8,17}");

    private static final Rule ZONE_RULE = new Rule(v -> ZONE.matcher(v).matches(), BAD_ZONE);

    // image:id and instance:id have a colon in the key: the rule of their first part checks the rest.
    private static final Map<String, Rule> RULES = Map.of(
            ACCOUNT_ID,
            new Rule(v -> ACCOUNT.matcher(v).matches(), BAD_ACCOUNT_ID),
            AZ,
            ZONE_RULE,
            REGION,
            ZONE_RULE,
            "image",
            new Rule(v -> v.startsWith("id:") && AMI.matcher(v.substring(3)).matches(), BAD_IMAGE_ID),
            "instance",
            new Rule(
                    v -> v.startsWith("id:") && INSTANCE.matcher(v.substring(3)).matches(), BAD_INSTANCE_ID));

    public static final SelectorVocabulary VOCABULARY = new KeyedSelectorVocabulary(TYPE, RULES);

    private AwsIidSelectors() {}

    /** {@code key:value}, the value of an {@code aws_iid} selector. */
    public static String value(String key, String value) {
        return key + ":" + value;
    }
}

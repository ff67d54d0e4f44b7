// Where the Alibaba Cloud credentials come from, as decided by the configuration module.
// The adapter turns this into an @alicloud/credentials Credential. Secrets live only in these
// objects; nothing prints them (see redaction in src/observability/).

export type CredentialSource =
  /** AccessKey pair (from flags' env vars or the CCM cloud-config), optionally an STS token. */
  | {
      readonly kind: "access-key";
      readonly accessKeyId: string;
      readonly accessKeySecret: string;
      readonly securityToken?: string | undefined;
      /** Where the keys came from, for messages: "environment", "cloud-config". */
      readonly origin: string;
    }
  /** RRSA: AssumeRoleWithOIDC with a projected service-account token. */
  | {
      readonly kind: "oidc-role-arn";
      readonly roleArn: string;
      readonly oidcProviderArn: string;
      readonly oidcTokenFile: string;
      readonly roleSessionName?: string | undefined;
      readonly stsEndpoint?: string | undefined;
    }
  /** ECS instance RAM role through the metadata service. */
  | { readonly kind: "ecs-ram-role"; readonly roleName?: string | undefined }
  /** Nothing configured: let @alicloud/credentials' default chain decide (profile files, credentials URI). */
  | { readonly kind: "default-chain" };

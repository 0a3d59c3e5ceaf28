ALTER TABLE "organisation_oidc" ALTER COLUMN "client_secret_file" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "organisation_oidc" ADD COLUMN "client_secret_ciphertext" text;--> statement-breakpoint
ALTER TABLE "organisation_oidc" ADD COLUMN "client_secret_key_id" text;
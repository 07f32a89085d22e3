CREATE TABLE "group_members" (
	"company_id" text NOT NULL,
	"group_id" text NOT NULL,
	"person_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "group_members_pk" PRIMARY KEY("group_id","person_id")
);
--> statement-breakpoint
CREATE TABLE "groups" (
	"id" text PRIMARY KEY NOT NULL,
	"company_id" text NOT NULL,
	"name" text NOT NULL,
	"bit" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "groups_company_id_key" UNIQUE("company_id","id"),
	CONSTRAINT "groups_bit_check" CHECK ("groups"."bit" between 0 and 30)
);
--> statement-breakpoint
CREATE TABLE "ct_folders" (
	"company_id" text NOT NULL,
	"id" bigint DEFAULT nextval('ct_id_seq') NOT NULL,
	"user_id" bigint,
	"attrs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"parent_id" bigint,
	CONSTRAINT "ct_folders_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "ct_groups" (
	"company_id" text NOT NULL,
	"id" bigint DEFAULT nextval('ct_id_seq') NOT NULL,
	"group_id" text NOT NULL,
	CONSTRAINT "ct_groups_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_group_fk" FOREIGN KEY ("company_id","group_id") REFERENCES "public"."groups"("company_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_membership_fk" FOREIGN KEY ("company_id","person_id") REFERENCES "public"."memberships"("company_id","person_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "groups" ADD CONSTRAINT "groups_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_folders" ADD CONSTRAINT "ct_folders_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_folders" ADD CONSTRAINT "ct_folders_parent_fk" FOREIGN KEY ("company_id","parent_id") REFERENCES "public"."ct_folders"("company_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_groups" ADD CONSTRAINT "ct_groups_group_fk" FOREIGN KEY ("company_id","group_id") REFERENCES "public"."groups"("company_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "group_members_person_idx" ON "group_members" USING btree ("company_id","person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "groups_company_bit_key" ON "groups" USING btree ("company_id","bit");--> statement-breakpoint
CREATE UNIQUE INDEX "groups_company_name_key" ON "groups" USING btree ("company_id",lower("name"));--> statement-breakpoint
CREATE INDEX "ct_folders_parent_idx" ON "ct_folders" USING btree ("company_id","parent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ct_groups_group_key" ON "ct_groups" USING btree ("group_id");
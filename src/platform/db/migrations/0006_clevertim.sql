CREATE SEQUENCE "public"."ct_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"api" text NOT NULL,
	"company_id" text NOT NULL,
	"person_id" text NOT NULL,
	"hint" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ct_cases" (
	"company_id" text NOT NULL,
	"id" bigint DEFAULT nextval('ct_id_seq') NOT NULL,
	"user_id" bigint,
	"attrs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"is_private" boolean DEFAULT false NOT NULL,
	"puser" bigint,
	"gid" integer DEFAULT 0 NOT NULL,
	"cust_id" bigint,
	"lead_user" bigint,
	"cf" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "ct_cases_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "ct_comments" (
	"company_id" text NOT NULL,
	"id" bigint DEFAULT nextval('ct_id_seq') NOT NULL,
	"user_id" bigint,
	"attrs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"note_id" bigint,
	"task_id" bigint,
	CONSTRAINT "ct_comments_pk" PRIMARY KEY("company_id","id"),
	CONSTRAINT "ct_comments_one_parent" CHECK (("ct_comments"."note_id" is null) <> ("ct_comments"."task_id" is null))
);
--> statement-breakpoint
CREATE TABLE "ct_contacts" (
	"company_id" text NOT NULL,
	"id" bigint DEFAULT nextval('ct_id_seq') NOT NULL,
	"user_id" bigint,
	"attrs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"is_private" boolean DEFAULT false NOT NULL,
	"puser" bigint,
	"gid" integer DEFAULT 0 NOT NULL,
	"is_company" boolean NOT NULL,
	"employer_id" bigint,
	"cf" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "ct_contacts_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "ct_custom_fields" (
	"company_id" text NOT NULL,
	"id" bigint DEFAULT nextval('ct_id_seq') NOT NULL,
	"user_id" bigint,
	"attrs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ct_custom_fields_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "ct_note_contacts" (
	"company_id" text NOT NULL,
	"note_id" bigint NOT NULL,
	"contact_id" bigint NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "ct_note_contacts_pk" PRIMARY KEY("company_id","note_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "ct_notes" (
	"company_id" text NOT NULL,
	"id" bigint DEFAULT nextval('ct_id_seq') NOT NULL,
	"user_id" bigint,
	"attrs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"case_id" bigint,
	"opportunity_id" bigint,
	CONSTRAINT "ct_notes_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "ct_opportunities" (
	"company_id" text NOT NULL,
	"id" bigint DEFAULT nextval('ct_id_seq') NOT NULL,
	"user_id" bigint,
	"attrs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"is_private" boolean DEFAULT false NOT NULL,
	"puser" bigint,
	"gid" integer DEFAULT 0 NOT NULL,
	"cust_id" bigint,
	"lead_user" bigint,
	"cf" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "ct_opportunities_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "ct_tasks" (
	"company_id" text NOT NULL,
	"id" bigint DEFAULT nextval('ct_id_seq') NOT NULL,
	"user_id" bigint,
	"attrs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"is_private" boolean DEFAULT false NOT NULL,
	"puser" bigint,
	"gid" integer DEFAULT 0 NOT NULL,
	"cust_id" bigint,
	"case_id" bigint,
	"opp_id" bigint,
	"a_user_id" bigint,
	CONSTRAINT "ct_tasks_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "ct_users" (
	"company_id" text NOT NULL,
	"id" bigint DEFAULT nextval('ct_id_seq') NOT NULL,
	"person_id" text NOT NULL,
	CONSTRAINT "ct_users_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
ALTER TABLE "memberships" DROP CONSTRAINT "memberships_role_check";--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_membership_fk" FOREIGN KEY ("company_id","person_id") REFERENCES "public"."memberships"("company_id","person_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_cases" ADD CONSTRAINT "ct_cases_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_cases" ADD CONSTRAINT "ct_cases_cust_fk" FOREIGN KEY ("company_id","cust_id") REFERENCES "public"."ct_contacts"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_comments" ADD CONSTRAINT "ct_comments_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_comments" ADD CONSTRAINT "ct_comments_note_fk" FOREIGN KEY ("company_id","note_id") REFERENCES "public"."ct_notes"("company_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_comments" ADD CONSTRAINT "ct_comments_task_fk" FOREIGN KEY ("company_id","task_id") REFERENCES "public"."ct_tasks"("company_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_contacts" ADD CONSTRAINT "ct_contacts_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_contacts" ADD CONSTRAINT "ct_contacts_employer_fk" FOREIGN KEY ("company_id","employer_id") REFERENCES "public"."ct_contacts"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_custom_fields" ADD CONSTRAINT "ct_custom_fields_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_note_contacts" ADD CONSTRAINT "ct_note_contacts_note_fk" FOREIGN KEY ("company_id","note_id") REFERENCES "public"."ct_notes"("company_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_note_contacts" ADD CONSTRAINT "ct_note_contacts_contact_fk" FOREIGN KEY ("company_id","contact_id") REFERENCES "public"."ct_contacts"("company_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_notes" ADD CONSTRAINT "ct_notes_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_notes" ADD CONSTRAINT "ct_notes_case_fk" FOREIGN KEY ("company_id","case_id") REFERENCES "public"."ct_cases"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_notes" ADD CONSTRAINT "ct_notes_opportunity_fk" FOREIGN KEY ("company_id","opportunity_id") REFERENCES "public"."ct_opportunities"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_opportunities" ADD CONSTRAINT "ct_opportunities_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_opportunities" ADD CONSTRAINT "ct_opportunities_cust_fk" FOREIGN KEY ("company_id","cust_id") REFERENCES "public"."ct_contacts"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_tasks" ADD CONSTRAINT "ct_tasks_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_tasks" ADD CONSTRAINT "ct_tasks_cust_fk" FOREIGN KEY ("company_id","cust_id") REFERENCES "public"."ct_contacts"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_tasks" ADD CONSTRAINT "ct_tasks_case_fk" FOREIGN KEY ("company_id","case_id") REFERENCES "public"."ct_cases"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_tasks" ADD CONSTRAINT "ct_tasks_opp_fk" FOREIGN KEY ("company_id","opp_id") REFERENCES "public"."ct_opportunities"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_users" ADD CONSTRAINT "ct_users_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_users" ADD CONSTRAINT "ct_users_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_holder_key" ON "api_tokens" USING btree ("api","company_id","person_id");--> statement-breakpoint
CREATE INDEX "api_tokens_person_idx" ON "api_tokens" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "ct_cases_cust_idx" ON "ct_cases" USING btree ("company_id","cust_id");--> statement-breakpoint
CREATE INDEX "ct_comments_note_idx" ON "ct_comments" USING btree ("company_id","note_id");--> statement-breakpoint
CREATE INDEX "ct_comments_task_idx" ON "ct_comments" USING btree ("company_id","task_id");--> statement-breakpoint
CREATE INDEX "ct_contacts_employer_idx" ON "ct_contacts" USING btree ("company_id","employer_id");--> statement-breakpoint
CREATE INDEX "ct_note_contacts_contact_idx" ON "ct_note_contacts" USING btree ("company_id","contact_id");--> statement-breakpoint
CREATE INDEX "ct_notes_case_idx" ON "ct_notes" USING btree ("company_id","case_id");--> statement-breakpoint
CREATE INDEX "ct_notes_opportunity_idx" ON "ct_notes" USING btree ("company_id","opportunity_id");--> statement-breakpoint
CREATE INDEX "ct_opportunities_cust_idx" ON "ct_opportunities" USING btree ("company_id","cust_id");--> statement-breakpoint
CREATE INDEX "ct_tasks_cust_idx" ON "ct_tasks" USING btree ("company_id","cust_id");--> statement-breakpoint
CREATE INDEX "ct_tasks_case_idx" ON "ct_tasks" USING btree ("company_id","case_id");--> statement-breakpoint
CREATE INDEX "ct_tasks_opp_idx" ON "ct_tasks" USING btree ("company_id","opp_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ct_users_person_key" ON "ct_users" USING btree ("company_id","person_id");--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_role_check" CHECK ("memberships"."role" in ('owner','admin','member','viewer'));
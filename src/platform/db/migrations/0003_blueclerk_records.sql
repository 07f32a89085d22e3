CREATE TABLE "bc_contacts" (
	"id" text NOT NULL,
	"company_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"business_name" text,
	"email" text,
	"phone" text,
	"address" text,
	CONSTRAINT "bc_contacts_pk" PRIMARY KEY("company_id","id"),
	CONSTRAINT "bc_contacts_type_check" CHECK ("bc_contacts"."type" in ('HOMEOWNER','BUILDER'))
);
--> statement-breakpoint
CREATE TABLE "bc_estimates" (
	"id" text NOT NULL,
	"company_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"estimate_number" text NOT NULL,
	"total_amount" numeric(14, 2) NOT NULL,
	"status" text NOT NULL,
	"sent_at" timestamp (3) with time zone,
	"approved_at" timestamp (3) with time zone,
	"job_id" text,
	"property_id" text,
	CONSTRAINT "bc_estimates_pk" PRIMARY KEY("company_id","id"),
	CONSTRAINT "bc_estimates_status_check" CHECK ("bc_estimates"."status" in ('DRAFT','SENT','APPROVED','DECLINED')),
	CONSTRAINT "bc_estimates_total_check" CHECK ("bc_estimates"."total_amount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "bc_invoices" (
	"id" text NOT NULL,
	"company_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"invoice_number" text NOT NULL,
	"total_amount" numeric(14, 2) NOT NULL,
	"amount_paid" numeric(14, 2) DEFAULT '0' NOT NULL,
	"status" text NOT NULL,
	"paid_at" timestamp (3) with time zone,
	"job_id" text,
	CONSTRAINT "bc_invoices_pk" PRIMARY KEY("company_id","id"),
	CONSTRAINT "bc_invoices_status_check" CHECK ("bc_invoices"."status" in ('DRAFT','SENT','PARTIALLY_PAID','PAID','VOID')),
	CONSTRAINT "bc_invoices_amounts_check" CHECK ("bc_invoices"."total_amount" >= 0 and "bc_invoices"."amount_paid" >= 0 and "bc_invoices"."amount_paid" <= "bc_invoices"."total_amount")
);
--> statement-breakpoint
CREATE TABLE "bc_jobs" (
	"id" text NOT NULL,
	"company_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"title" text NOT NULL,
	"status" text NOT NULL,
	"property_id" text,
	"ticket_id" text,
	"scheduled_at" timestamp (3) with time zone,
	"completed_at" timestamp (3) with time zone,
	CONSTRAINT "bc_jobs_pk" PRIMARY KEY("company_id","id"),
	CONSTRAINT "bc_jobs_status_check" CHECK ("bc_jobs"."status" in ('SCHEDULED','IN_PROGRESS','ON_HOLD','COMPLETED','CANCELLED'))
);
--> statement-breakpoint
CREATE TABLE "bc_number_sequences" (
	"company_id" text NOT NULL,
	"kind" text NOT NULL,
	"last_number" integer NOT NULL,
	CONSTRAINT "bc_number_sequences_pk" PRIMARY KEY("company_id","kind")
);
--> statement-breakpoint
CREATE TABLE "bc_properties" (
	"id" text NOT NULL,
	"company_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"address" text NOT NULL,
	"contact_id" text,
	CONSTRAINT "bc_properties_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "bc_tickets" (
	"id" text NOT NULL,
	"company_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"title" text NOT NULL,
	"status" text NOT NULL,
	"description" text,
	"source" text,
	"business_name" text,
	"contact_name" text,
	"email" text,
	"phone" text,
	"address" text,
	"contact_id" text,
	"property_id" text,
	"job_id" text,
	CONSTRAINT "bc_tickets_pk" PRIMARY KEY("company_id","id"),
	CONSTRAINT "bc_tickets_status_check" CHECK ("bc_tickets"."status" in ('OPEN','IN_PROGRESS','CLOSED','CANCELLED'))
);
--> statement-breakpoint
ALTER TABLE "bc_contacts" ADD CONSTRAINT "bc_contacts_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_estimates" ADD CONSTRAINT "bc_estimates_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_estimates" ADD CONSTRAINT "bc_estimates_job_fk" FOREIGN KEY ("company_id","job_id") REFERENCES "public"."bc_jobs"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_estimates" ADD CONSTRAINT "bc_estimates_property_fk" FOREIGN KEY ("company_id","property_id") REFERENCES "public"."bc_properties"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_invoices" ADD CONSTRAINT "bc_invoices_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_invoices" ADD CONSTRAINT "bc_invoices_job_fk" FOREIGN KEY ("company_id","job_id") REFERENCES "public"."bc_jobs"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_jobs" ADD CONSTRAINT "bc_jobs_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_jobs" ADD CONSTRAINT "bc_jobs_property_fk" FOREIGN KEY ("company_id","property_id") REFERENCES "public"."bc_properties"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_jobs" ADD CONSTRAINT "bc_jobs_ticket_fk" FOREIGN KEY ("company_id","ticket_id") REFERENCES "public"."bc_tickets"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_number_sequences" ADD CONSTRAINT "bc_number_sequences_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_properties" ADD CONSTRAINT "bc_properties_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_properties" ADD CONSTRAINT "bc_properties_contact_fk" FOREIGN KEY ("company_id","contact_id") REFERENCES "public"."bc_contacts"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_tickets" ADD CONSTRAINT "bc_tickets_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_tickets" ADD CONSTRAINT "bc_tickets_contact_fk" FOREIGN KEY ("company_id","contact_id") REFERENCES "public"."bc_contacts"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_tickets" ADD CONSTRAINT "bc_tickets_property_fk" FOREIGN KEY ("company_id","property_id") REFERENCES "public"."bc_properties"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bc_tickets" ADD CONSTRAINT "bc_tickets_job_fk" FOREIGN KEY ("company_id","job_id") REFERENCES "public"."bc_jobs"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bc_contacts_browse_idx" ON "bc_contacts" USING btree ("company_id","created_at","id");--> statement-breakpoint
CREATE INDEX "bc_contacts_sync_idx" ON "bc_contacts" USING btree ("company_id","updated_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "bc_estimates_number_key" ON "bc_estimates" USING btree ("company_id","estimate_number");--> statement-breakpoint
CREATE INDEX "bc_estimates_browse_idx" ON "bc_estimates" USING btree ("company_id","created_at","id");--> statement-breakpoint
CREATE INDEX "bc_estimates_sync_idx" ON "bc_estimates" USING btree ("company_id","updated_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "bc_invoices_number_key" ON "bc_invoices" USING btree ("company_id","invoice_number");--> statement-breakpoint
CREATE INDEX "bc_invoices_browse_idx" ON "bc_invoices" USING btree ("company_id","created_at","id");--> statement-breakpoint
CREATE INDEX "bc_invoices_sync_idx" ON "bc_invoices" USING btree ("company_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "bc_jobs_browse_idx" ON "bc_jobs" USING btree ("company_id","created_at","id");--> statement-breakpoint
CREATE INDEX "bc_jobs_sync_idx" ON "bc_jobs" USING btree ("company_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "bc_properties_browse_idx" ON "bc_properties" USING btree ("company_id","created_at","id");--> statement-breakpoint
CREATE INDEX "bc_properties_sync_idx" ON "bc_properties" USING btree ("company_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "bc_tickets_browse_idx" ON "bc_tickets" USING btree ("company_id","created_at","id");--> statement-breakpoint
CREATE INDEX "bc_tickets_sync_idx" ON "bc_tickets" USING btree ("company_id","updated_at","id");
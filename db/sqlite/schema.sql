CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY,
    "ProductVersion" TEXT NOT NULL
);

BEGIN TRANSACTION;
CREATE TABLE "AuditAlerts" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AuditAlerts" PRIMARY KEY,
    "RaisedAt" INTEGER NOT NULL,
    "Fault" TEXT NOT NULL,
    "FirstInvalidSequence" INTEGER NULL,
    "Reason" TEXT NOT NULL,
    "ResolvedAt" INTEGER NULL,
    "ResolvedBy" TEXT NULL,
    "Resolution" TEXT NULL
);

CREATE TABLE "AuditCheckpoints" (
    "TreeSize" INTEGER NOT NULL CONSTRAINT "PK_AuditCheckpoints" PRIMARY KEY,
    "RootHash" TEXT NOT NULL,
    "HeadHash" TEXT NOT NULL,
    "Timestamp" INTEGER NOT NULL,
    "Signature" TEXT NOT NULL,
    "KeyId" TEXT NOT NULL,
    "EventHashes" BLOB NULL,
    "Frontier" BLOB NULL
);

CREATE TABLE "AuditEvents" (
    "Sequence" INTEGER NOT NULL CONSTRAINT "PK_AuditEvents" PRIMARY KEY,
    "Timestamp" INTEGER NOT NULL,
    "ActorOid" TEXT NOT NULL,
    "ActorUsername" TEXT NOT NULL,
    "ActorRoles" TEXT NOT NULL,
    "ActorApiKey" TEXT NULL,
    "Action" TEXT NOT NULL,
    "EntityType" TEXT NOT NULL,
    "EntityId" TEXT NOT NULL,
    "Payload" TEXT NOT NULL,
    "CorrelationId" TEXT NULL,
    "ClientAddress" TEXT NULL,
    "PreviousHash" TEXT NOT NULL,
    "Hash" TEXT NOT NULL
);

CREATE TABLE "AuditHeads" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AuditHeads" PRIMARY KEY,
    "Sequence" INTEGER NOT NULL,
    "Hash" TEXT NOT NULL
);

CREATE TABLE "AuditVerifications" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AuditVerifications" PRIMARY KEY AUTOINCREMENT,
    "StartedAt" INTEGER NOT NULL,
    "FinishedAt" INTEGER NOT NULL,
    "Full" INTEGER NOT NULL,
    "FromSequence" INTEGER NOT NULL,
    "ToSequence" INTEGER NOT NULL,
    "StartCheckpoint" INTEGER NULL,
    "LatestCheckpoint" INTEGER NULL,
    "Valid" INTEGER NOT NULL,
    "Fault" TEXT NULL,
    "FirstInvalidSequence" INTEGER NULL,
    "Reason" TEXT NOT NULL,
    "Trigger" TEXT NOT NULL
);

CREATE TABLE "AuthorizationRefusals" (
    "Identity" TEXT NOT NULL,
    "Route" TEXT NOT NULL,
    "Minute" INTEGER NOT NULL,
    "Count" INTEGER NOT NULL,
    "ActorOid" TEXT NOT NULL,
    "ActorUsername" TEXT NOT NULL,
    "ActorRoles" TEXT NOT NULL,
    "ActorApiKey" TEXT NULL,
    "Method" TEXT NOT NULL,
    "Endpoint" TEXT NOT NULL,
    "FirstPath" TEXT NOT NULL,
    "ClientAddress" TEXT NULL,
    "FirstAt" INTEGER NOT NULL,
    "Recorded" INTEGER NOT NULL,
    CONSTRAINT "PK_AuthorizationRefusals" PRIMARY KEY ("Identity", "Route", "Minute")
);

CREATE TABLE "CalendarFeedToken" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_CalendarFeedToken" PRIMARY KEY,
    "Username" TEXT NOT NULL,
    "TokenHash" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL
);

CREATE TABLE "ChecklistTemplateVersions" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ChecklistTemplateVersions" PRIMARY KEY,
    "TemplateId" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    "Title" TEXT NOT NULL,
    "Authority" TEXT NOT NULL,
    "AppliesWhen" TEXT NOT NULL,
    "AppliesBecause" TEXT NOT NULL,
    "ContentSha256" TEXT NOT NULL,
    "Source" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "CreatedBy" TEXT NOT NULL,
    "ChangeNote" TEXT NULL
);

CREATE TABLE "DataProtectionKeys" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_DataProtectionKeys" PRIMARY KEY AUTOINCREMENT,
    "FriendlyName" TEXT NULL,
    "Xml" TEXT NULL
);

CREATE TABLE "DeliveryAttempts" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_DeliveryAttempts" PRIMARY KEY AUTOINCREMENT,
    "DeliveryId" TEXT NOT NULL,
    "Channel" TEXT NOT NULL,
    "Number" INTEGER NOT NULL,
    "At" INTEGER NOT NULL,
    "Outcome" TEXT NOT NULL,
    "StatusCode" INTEGER NULL,
    "Error" TEXT NULL,
    "DurationMilliseconds" INTEGER NOT NULL
);

CREATE TABLE "EvidenceContents" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_EvidenceContents" PRIMARY KEY,
    "Bytes" BLOB NOT NULL
);

CREATE TABLE "Models" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Models" PRIMARY KEY,
    "Key" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Description" TEXT NOT NULL,
    "Owner" TEXT NOT NULL,
    "BusinessOwner" TEXT NOT NULL,
    "Team" TEXT NOT NULL,
    "UseCase" TEXT NOT NULL,
    "RiskTier" TEXT NOT NULL,
    "DataCategories" INTEGER NOT NULL,
    "EuDataSubjects" INTEGER NOT NULL,
    "AutomatedLegalEffect" INTEGER NOT NULL,
    "Tags" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "CreatedBy" TEXT NOT NULL,
    "Revision" INTEGER NOT NULL
);

CREATE TABLE "NotificationPreferences" (
    "Username" TEXT NOT NULL CONSTRAINT "PK_NotificationPreferences" PRIMARY KEY,
    "DigestHour" INTEGER NOT NULL,
    "Choices" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "Revision" INTEGER NOT NULL
);

CREATE TABLE "Notifications" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Notifications" PRIMARY KEY,
    "Recipient" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "Title" TEXT NOT NULL,
    "Body" TEXT NOT NULL,
    "Link" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ReadAt" INTEGER NULL,
    "DoneAt" INTEGER NULL
);

CREATE TABLE "Outbox" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Outbox" PRIMARY KEY,
    "IdempotencyKey" TEXT NOT NULL,
    "Channel" TEXT NOT NULL,
    "Recipient" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "Title" TEXT NOT NULL,
    "Body" TEXT NOT NULL,
    "Link" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "State" TEXT NOT NULL,
    "Attempts" INTEGER NOT NULL,
    "NextAttemptAt" INTEGER NOT NULL,
    "LastAttemptAt" INTEGER NULL,
    "LastError" TEXT NULL,
    "SentAt" INTEGER NULL
);

CREATE TABLE "PromotionPolicyVersions" (
    "TargetStage" TEXT NOT NULL,
    "RiskTier" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    "PolicyJson" TEXT NOT NULL,
    "CreatedBy" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ChangeNote" TEXT NOT NULL,
    CONSTRAINT "PK_PromotionPolicyVersions" PRIMARY KEY ("TargetStage", "RiskTier", "Version")
);

CREATE TABLE "Reports" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Reports" PRIMARY KEY,
    "Kind" TEXT NOT NULL,
    "Subject" TEXT NOT NULL,
    "Parameters" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "Progress" INTEGER NOT NULL,
    "RequestedBy" TEXT NOT NULL,
    "RequestedAt" INTEGER NOT NULL,
    "GeneratedAt" INTEGER NULL,
    "Sha256" TEXT NULL,
    "AuditHeadSequence" INTEGER NULL,
    "AuditHeadHash" TEXT NULL,
    "Failure" TEXT NULL
);

CREATE TABLE "ReviewPolicyVersion" (
    "RiskTier" TEXT NOT NULL,
    "Version" INTEGER NOT NULL,
    "IntervalMonths" INTEGER NULL,
    "BlocksPromotionsWhenOverdue" INTEGER NOT NULL,
    "CreatedBy" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ChangeNote" TEXT NOT NULL,
    CONSTRAINT "PK_ReviewPolicyVersion" PRIMARY KEY ("RiskTier", "Version")
);

CREATE TABLE "Users" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Users" PRIMARY KEY,
    "ObjectId" TEXT NOT NULL,
    "TenantId" TEXT NOT NULL,
    "Username" TEXT NOT NULL,
    "DisplayName" TEXT NOT NULL,
    "Email" TEXT NULL,
    "Team" TEXT NOT NULL,
    "Roles" TEXT NOT NULL,
    "LastSignInAt" INTEGER NULL
);

CREATE TABLE "UserSessions" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_UserSessions" PRIMARY KEY,
    "ObjectId" TEXT NOT NULL,
    "Username" TEXT NOT NULL,
    "DisplayName" TEXT NOT NULL,
    "SignInMethod" TEXT NOT NULL,
    "Ticket" BLOB NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "LastSeenAt" INTEGER NOT NULL,
    "ExpiresAt" INTEGER NOT NULL,
    "ClientAddress" TEXT NULL,
    "UserAgent" TEXT NULL
);

CREATE TABLE "WebhookCursors" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_WebhookCursors" PRIMARY KEY,
    "Sequence" INTEGER NOT NULL
);

CREATE TABLE "WebhookSubscriptions" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_WebhookSubscriptions" PRIMARY KEY,
    "Url" TEXT NOT NULL,
    "Events" TEXT NOT NULL,
    "Description" TEXT NOT NULL,
    "ProtectedSecret" TEXT NOT NULL,
    "ProtectedPreviousSecret" TEXT NULL,
    "PreviousSecretExpiresAt" INTEGER NULL,
    "CreatedBy" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "StartsAfterSequence" INTEGER NOT NULL,
    "Enabled" INTEGER NOT NULL,
    "DisabledAt" INTEGER NULL,
    "DisabledReason" TEXT NULL,
    "DeadLettersInARow" INTEGER NOT NULL,
    "DeletedAt" INTEGER NULL,
    "Revision" TEXT NOT NULL
);

CREATE TABLE "ChecklistTemplateItems" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ChecklistTemplateItems" PRIMARY KEY,
    "TemplateVersionId" TEXT NOT NULL,
    "Position" INTEGER NOT NULL,
    "ItemId" TEXT NOT NULL,
    "Text" TEXT NOT NULL,
    "Guidance" TEXT NOT NULL,
    "Citation" TEXT NOT NULL,
    "Evidence" TEXT NOT NULL,
    "Obligation" TEXT NULL,
    "AppliesWhen" TEXT NULL,
    CONSTRAINT "FK_ChecklistTemplateItems_ChecklistTemplateVersions_TemplateVersionId" FOREIGN KEY ("TemplateVersionId") REFERENCES "ChecklistTemplateVersions" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "ModelVersions" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ModelVersions" PRIMARY KEY,
    "ModelId" TEXT NOT NULL,
    "Major" INTEGER NOT NULL,
    "Minor" INTEGER NOT NULL,
    "Pipeline" INTEGER NOT NULL,
    "ChangeKind" TEXT NOT NULL,
    "ChangeReason" TEXT NOT NULL,
    "ArtifactUri" TEXT NOT NULL,
    "ArtifactSha256" TEXT NOT NULL,
    "Stage" TEXT NOT NULL,
    "StageChangedAt" INTEGER NOT NULL,
    "RegisteredAt" INTEGER NOT NULL,
    "RegisteredBy" TEXT NOT NULL,
    "CodeRepository" TEXT NULL,
    "CodeCommit" TEXT NULL,
    "DataSnapshotId" TEXT NULL,
    "DataSnapshotHash" TEXT NULL,
    "PipelineRunId" TEXT NULL,
    "PipelineRunUrl" TEXT NULL,
    "ParentVersion" TEXT NULL,
    "EnvironmentDigest" TEXT NULL,
    "ConcurrencyStamp" INTEGER NOT NULL,
    CONSTRAINT "FK_ModelVersions_Models_ModelId" FOREIGN KEY ("ModelId") REFERENCES "Models" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "ReviewReminderSent" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ReviewReminderSent" PRIMARY KEY,
    "ModelId" TEXT NOT NULL,
    "DueDate" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "SentAt" INTEGER NOT NULL,
    "Recipients" TEXT NOT NULL,
    CONSTRAINT "FK_ReviewReminderSent_Models_ModelId" FOREIGN KEY ("ModelId") REFERENCES "Models" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "ReportFiles" (
    "ReportId" TEXT NOT NULL CONSTRAINT "PK_ReportFiles" PRIMARY KEY,
    "Content" BLOB NOT NULL,
    "Sha256" TEXT NOT NULL,
    CONSTRAINT "FK_ReportFiles_Reports_ReportId" FOREIGN KEY ("ReportId") REFERENCES "Reports" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "ApiKeys" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ApiKeys" PRIMARY KEY,
    "UserId" TEXT NOT NULL,
    "Label" TEXT NOT NULL,
    "Prefix" TEXT NOT NULL,
    "SecretHash" TEXT NOT NULL,
    "CreatedBy" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "RevokedAt" INTEGER NULL,
    "RevokedBy" TEXT NULL,
    CONSTRAINT "FK_ApiKeys_Users_UserId" FOREIGN KEY ("UserId") REFERENCES "Users" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "WebhookDeliveries" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_WebhookDeliveries" PRIMARY KEY,
    "SubscriptionId" TEXT NOT NULL,
    "AuditSequence" INTEGER NOT NULL,
    "EventType" TEXT NOT NULL,
    "Body" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "State" TEXT NOT NULL,
    "Attempts" INTEGER NOT NULL,
    "NextAttemptAt" INTEGER NOT NULL,
    "LastAttemptAt" INTEGER NULL,
    "LastStatusCode" INTEGER NULL,
    "LastError" TEXT NULL,
    "DeliveredAt" INTEGER NULL,
    CONSTRAINT "FK_WebhookDeliveries_WebhookSubscriptions_SubscriptionId" FOREIGN KEY ("SubscriptionId") REFERENCES "WebhookSubscriptions" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Assessments" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Assessments" PRIMARY KEY,
    "VersionId" TEXT NOT NULL,
    "TemplateVersionId" TEXT NOT NULL,
    "TemplateId" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "StartedAt" INTEGER NOT NULL,
    "StartedBy" TEXT NOT NULL,
    "CarriedOverFrom" TEXT NULL,
    "SubmittedAt" INTEGER NULL,
    "SubmittedBy" TEXT NULL,
    "SignedOffAt" INTEGER NULL,
    "SignedOffBy" TEXT NULL,
    "VoidedAt" INTEGER NULL,
    "VoidedBy" TEXT NULL,
    "VoidReason" TEXT NULL,
    "Revision" INTEGER NOT NULL,
    CONSTRAINT "FK_Assessments_Assessments_CarriedOverFrom" FOREIGN KEY ("CarriedOverFrom") REFERENCES "Assessments" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Assessments_ChecklistTemplateVersions_TemplateVersionId" FOREIGN KEY ("TemplateVersionId") REFERENCES "ChecklistTemplateVersions" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Assessments_ModelVersions_VersionId" FOREIGN KEY ("VersionId") REFERENCES "ModelVersions" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "ModelCardRevisions" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ModelCardRevisions" PRIMARY KEY,
    "VersionId" TEXT NOT NULL,
    "Number" INTEGER NOT NULL,
    "Content" TEXT NOT NULL,
    "Section" TEXT NULL,
    "Completeness" INTEGER NOT NULL,
    "SavedAt" INTEGER NOT NULL,
    "SavedBy" TEXT NOT NULL,
    CONSTRAINT "FK_ModelCardRevisions_ModelVersions_VersionId" FOREIGN KEY ("VersionId") REFERENCES "ModelVersions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "PeriodicReview" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_PeriodicReview" PRIMARY KEY,
    "ModelId" TEXT NOT NULL,
    "VersionId" TEXT NOT NULL,
    "CycleStart" TEXT NOT NULL,
    "DueDate" TEXT NOT NULL,
    "PolicyVersion" INTEGER NOT NULL,
    "State" TEXT NOT NULL,
    "AnswersJson" TEXT NOT NULL,
    "AnsweredBy" TEXT NOT NULL,
    "AnsweredAt" INTEGER NOT NULL,
    "DecidedBy" TEXT NULL,
    "DecidedAt" INTEGER NULL,
    "DecisionComment" TEXT NULL,
    "Revision" INTEGER NOT NULL,
    CONSTRAINT "FK_PeriodicReview_ModelVersions_VersionId" FOREIGN KEY ("VersionId") REFERENCES "ModelVersions" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_PeriodicReview_Models_ModelId" FOREIGN KEY ("ModelId") REFERENCES "Models" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Promotions" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Promotions" PRIMARY KEY,
    "VersionId" TEXT NOT NULL,
    "FromStage" TEXT NOT NULL,
    "TargetStage" TEXT NOT NULL,
    "Requester" TEXT NOT NULL,
    "Justification" TEXT NOT NULL,
    "State" TEXT NOT NULL,
    "PolicyVersion" INTEGER NOT NULL,
    "PolicyJson" TEXT NOT NULL,
    "GatesJson" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ExpiresAt" INTEGER NOT NULL,
    "DecidedAt" INTEGER NULL,
    "Revision" INTEGER NOT NULL,
    CONSTRAINT "FK_Promotions_ModelVersions_VersionId" FOREIGN KEY ("VersionId") REFERENCES "ModelVersions" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "RetirementPlans" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_RetirementPlans" PRIMARY KEY,
    "VersionId" TEXT NOT NULL,
    "PlannedDate" TEXT NOT NULL,
    "Reason" TEXT NOT NULL,
    "SuccessorVersionId" TEXT NULL,
    "NoSuccessorReason" TEXT NULL,
    "Note" TEXT NOT NULL,
    "Notify" TEXT NOT NULL,
    "State" TEXT NOT NULL,
    "CancelReason" TEXT NULL,
    "CreatedBy" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedBy" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "RetiredAt" INTEGER NULL,
    "RetentionUntil" TEXT NULL,
    "RetentionBasis" TEXT NULL,
    "Revision" INTEGER NOT NULL,
    CONSTRAINT "FK_RetirementPlans_ModelVersions_SuccessorVersionId" FOREIGN KEY ("SuccessorVersionId") REFERENCES "ModelVersions" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_RetirementPlans_ModelVersions_VersionId" FOREIGN KEY ("VersionId") REFERENCES "ModelVersions" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "Rollbacks" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Rollbacks" PRIMARY KEY,
    "ModelId" TEXT NOT NULL,
    "FromVersionId" TEXT NOT NULL,
    "ToVersionId" TEXT NOT NULL,
    "Reason" TEXT NOT NULL,
    "StartedBy" TEXT NOT NULL,
    "StartedRole" TEXT NOT NULL,
    "StartedAt" INTEGER NOT NULL,
    "ExpiresAt" INTEGER NOT NULL,
    "State" TEXT NOT NULL,
    "DecidedBy" TEXT NULL,
    "DecidedAt" INTEGER NULL,
    "Revision" INTEGER NOT NULL,
    CONSTRAINT "FK_Rollbacks_ModelVersions_FromVersionId" FOREIGN KEY ("FromVersionId") REFERENCES "ModelVersions" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Rollbacks_ModelVersions_ToVersionId" FOREIGN KEY ("ToVersionId") REFERENCES "ModelVersions" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_Rollbacks_Models_ModelId" FOREIGN KEY ("ModelId") REFERENCES "Models" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "VersionMetrics" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_VersionMetrics" PRIMARY KEY,
    "VersionId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Value" REAL NOT NULL,
    "Dataset" TEXT NOT NULL,
    "Slice" TEXT NOT NULL,
    "Threshold" REAL NULL,
    "HigherIsBetter" INTEGER NOT NULL,
    CONSTRAINT "FK_VersionMetrics_ModelVersions_VersionId" FOREIGN KEY ("VersionId") REFERENCES "ModelVersions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AssessmentAnswers" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AssessmentAnswers" PRIMARY KEY,
    "AssessmentId" TEXT NOT NULL,
    "ItemId" TEXT NOT NULL,
    "Answer" TEXT NOT NULL,
    "Justification" TEXT NULL,
    "AnsweredBy" TEXT NOT NULL,
    "AnsweredAt" INTEGER NOT NULL,
    "CarriedOver" INTEGER NOT NULL,
    "Review" TEXT NOT NULL,
    "ReviewComment" TEXT NULL,
    "ReviewedBy" TEXT NULL,
    "ReviewedAt" INTEGER NULL,
    "Revision" INTEGER NOT NULL,
    CONSTRAINT "FK_AssessmentAnswers_Assessments_AssessmentId" FOREIGN KEY ("AssessmentId") REFERENCES "Assessments" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "AssessmentEvidence" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AssessmentEvidence" PRIMARY KEY,
    "AssessmentId" TEXT NOT NULL,
    "ItemId" TEXT NOT NULL,
    "Type" TEXT NOT NULL,
    "Url" TEXT NULL,
    "FileName" TEXT NULL,
    "ContentType" TEXT NULL,
    "SizeBytes" INTEGER NULL,
    "Sha256" TEXT NULL,
    "ContentId" TEXT NULL,
    "AddedBy" TEXT NOT NULL,
    "AddedAt" INTEGER NOT NULL,
    CONSTRAINT "FK_AssessmentEvidence_Assessments_AssessmentId" FOREIGN KEY ("AssessmentId") REFERENCES "Assessments" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_AssessmentEvidence_EvidenceContents_ContentId" FOREIGN KEY ("ContentId") REFERENCES "EvidenceContents" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "PromotionDecisions" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_PromotionDecisions" PRIMARY KEY,
    "PromotionId" TEXT NOT NULL,
    "Approver" TEXT NOT NULL,
    "Role" TEXT NOT NULL,
    "Verdict" TEXT NOT NULL,
    "Comment" TEXT NULL,
    "At" INTEGER NOT NULL,
    CONSTRAINT "FK_PromotionDecisions_Promotions_PromotionId" FOREIGN KEY ("PromotionId") REFERENCES "Promotions" ("Id") ON DELETE CASCADE
);

CREATE TABLE "RetirementReminders" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_RetirementReminders" PRIMARY KEY,
    "PlanId" TEXT NOT NULL,
    "PlannedDate" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "SentAt" INTEGER NOT NULL,
    "Recipients" TEXT NOT NULL,
    CONSTRAINT "FK_RetirementReminders_RetirementPlans_PlanId" FOREIGN KEY ("PlanId") REFERENCES "RetirementPlans" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "RetrospectiveReviews" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_RetrospectiveReviews" PRIMARY KEY,
    "RollbackId" TEXT NOT NULL,
    "OpenedAt" INTEGER NOT NULL,
    "State" TEXT NOT NULL,
    "Findings" TEXT NULL,
    "ClosedBy" TEXT NULL,
    "ClosedAt" INTEGER NULL,
    "Revision" INTEGER NOT NULL,
    CONSTRAINT "FK_RetrospectiveReviews_Rollbacks_RollbackId" FOREIGN KEY ("RollbackId") REFERENCES "Rollbacks" ("Id") ON DELETE RESTRICT
);

INSERT INTO "AuditHeads" ("Id", "Hash", "Sequence")
VALUES (1, '0000000000000000000000000000000000000000000000000000000000000000', 0);
SELECT changes();


INSERT INTO "WebhookCursors" ("Id", "Sequence")
VALUES (1, 0);
SELECT changes();


CREATE UNIQUE INDEX "IX_ApiKeys_Prefix" ON "ApiKeys" ("Prefix");

CREATE INDEX "IX_ApiKeys_UserId" ON "ApiKeys" ("UserId");

CREATE UNIQUE INDEX "IX_AssessmentAnswers_AssessmentId_ItemId" ON "AssessmentAnswers" ("AssessmentId", "ItemId");

CREATE INDEX "IX_AssessmentEvidence_AssessmentId_ItemId" ON "AssessmentEvidence" ("AssessmentId", "ItemId");

CREATE INDEX "IX_AssessmentEvidence_ContentId" ON "AssessmentEvidence" ("ContentId");

CREATE INDEX "IX_Assessments_CarriedOverFrom" ON "Assessments" ("CarriedOverFrom");

CREATE INDEX "IX_Assessments_Status" ON "Assessments" ("Status");

CREATE INDEX "IX_Assessments_TemplateVersionId" ON "Assessments" ("TemplateVersionId");

CREATE INDEX "IX_Assessments_VersionId_TemplateId" ON "Assessments" ("VersionId", "TemplateId");

CREATE UNIQUE INDEX "IX_Assessments_VersionId_TemplateVersionId" ON "Assessments" ("VersionId", "TemplateVersionId");

CREATE INDEX "IX_AuditAlerts_ResolvedAt" ON "AuditAlerts" ("ResolvedAt");

CREATE INDEX "IX_AuditEvents_Action" ON "AuditEvents" ("Action");

CREATE INDEX "IX_AuditEvents_EntityType_EntityId" ON "AuditEvents" ("EntityType", "EntityId");

CREATE INDEX "IX_AuditEvents_Timestamp" ON "AuditEvents" ("Timestamp");

CREATE INDEX "IX_AuditVerifications_Valid_Id" ON "AuditVerifications" ("Valid", "Id");

CREATE INDEX "IX_AuthorizationRefusals_Recorded_Minute" ON "AuthorizationRefusals" ("Recorded", "Minute");

CREATE UNIQUE INDEX "IX_CalendarFeedToken_TokenHash" ON "CalendarFeedToken" ("TokenHash");

CREATE UNIQUE INDEX "IX_CalendarFeedToken_Username" ON "CalendarFeedToken" ("Username");

CREATE UNIQUE INDEX "IX_ChecklistTemplateItems_TemplateVersionId_ItemId" ON "ChecklistTemplateItems" ("TemplateVersionId", "ItemId");

CREATE UNIQUE INDEX "IX_ChecklistTemplateVersions_TemplateId_Version" ON "ChecklistTemplateVersions" ("TemplateId", "Version");

CREATE INDEX "IX_DeliveryAttempts_Channel_Outcome_Id" ON "DeliveryAttempts" ("Channel", "Outcome", "Id");

CREATE INDEX "IX_DeliveryAttempts_DeliveryId_Id" ON "DeliveryAttempts" ("DeliveryId", "Id");

CREATE UNIQUE INDEX "IX_ModelCardRevisions_VersionId_Number" ON "ModelCardRevisions" ("VersionId", "Number");

CREATE UNIQUE INDEX "IX_Models_Key" ON "Models" ("Key");

CREATE INDEX "IX_Models_Name" ON "Models" ("Name");

CREATE INDEX "IX_Models_Owner" ON "Models" ("Owner");

CREATE INDEX "IX_Models_Team" ON "Models" ("Team");

CREATE UNIQUE INDEX "IX_ModelVersions_ModelId_Major_Minor_Pipeline" ON "ModelVersions" ("ModelId", "Major", "Minor", "Pipeline");

CREATE INDEX "IX_ModelVersions_ModelId_Stage" ON "ModelVersions" ("ModelId", "Stage");

CREATE INDEX "IX_ModelVersions_Stage" ON "ModelVersions" ("Stage");

CREATE INDEX "IX_Notifications_Recipient_CreatedAt" ON "Notifications" ("Recipient", "CreatedAt");

CREATE INDEX "IX_Notifications_Recipient_ReadAt" ON "Notifications" ("Recipient", "ReadAt");

CREATE UNIQUE INDEX "IX_Outbox_IdempotencyKey" ON "Outbox" ("IdempotencyKey");

CREATE INDEX "IX_Outbox_State_NextAttemptAt" ON "Outbox" ("State", "NextAttemptAt");

CREATE UNIQUE INDEX "IX_PeriodicReview_ModelId_DueDate" ON "PeriodicReview" ("ModelId", "DueDate");

CREATE INDEX "IX_PeriodicReview_VersionId" ON "PeriodicReview" ("VersionId");

CREATE UNIQUE INDEX "IX_PromotionDecisions_PromotionId_Approver" ON "PromotionDecisions" ("PromotionId", "Approver");

CREATE INDEX "IX_Promotions_State_CreatedAt" ON "Promotions" ("State", "CreatedAt");

CREATE INDEX "IX_Promotions_VersionId" ON "Promotions" ("VersionId");

CREATE UNIQUE INDEX "IX_Promotions_VersionId_Pending" ON "Promotions" ("VersionId") WHERE "State" = 'Pending';

CREATE INDEX "IX_Reports_Kind_RequestedAt" ON "Reports" ("Kind", "RequestedAt");

CREATE INDEX "IX_Reports_Sha256" ON "Reports" ("Sha256");

CREATE INDEX "IX_Reports_Status" ON "Reports" ("Status");

CREATE INDEX "IX_RetirementPlans_State_PlannedDate" ON "RetirementPlans" ("State", "PlannedDate");

CREATE INDEX "IX_RetirementPlans_SuccessorVersionId" ON "RetirementPlans" ("SuccessorVersionId");

CREATE UNIQUE INDEX "IX_RetirementPlans_VersionId" ON "RetirementPlans" ("VersionId");

CREATE UNIQUE INDEX "IX_RetirementReminders_PlanId_PlannedDate_Kind" ON "RetirementReminders" ("PlanId", "PlannedDate", "Kind");

CREATE UNIQUE INDEX "IX_RetrospectiveReviews_RollbackId" ON "RetrospectiveReviews" ("RollbackId");

CREATE INDEX "IX_RetrospectiveReviews_State_OpenedAt" ON "RetrospectiveReviews" ("State", "OpenedAt");

CREATE UNIQUE INDEX "IX_ReviewReminderSent_ModelId_DueDate_Kind" ON "ReviewReminderSent" ("ModelId", "DueDate", "Kind");

CREATE INDEX "IX_Rollbacks_FromVersionId" ON "Rollbacks" ("FromVersionId");

CREATE INDEX "IX_Rollbacks_ModelId_State" ON "Rollbacks" ("ModelId", "State");

CREATE INDEX "IX_Rollbacks_State_StartedAt" ON "Rollbacks" ("State", "StartedAt");

CREATE INDEX "IX_Rollbacks_ToVersionId" ON "Rollbacks" ("ToVersionId");

CREATE UNIQUE INDEX "IX_Users_ObjectId" ON "Users" ("ObjectId");

CREATE UNIQUE INDEX "IX_Users_Username" ON "Users" ("Username");

CREATE INDEX "IX_UserSessions_ExpiresAt" ON "UserSessions" ("ExpiresAt");

CREATE INDEX "IX_UserSessions_ObjectId" ON "UserSessions" ("ObjectId");

CREATE UNIQUE INDEX "IX_VersionMetrics_VersionId_Name_Dataset_Slice" ON "VersionMetrics" ("VersionId", "Name", "Dataset", "Slice");

CREATE INDEX "IX_WebhookDeliveries_State_NextAttemptAt" ON "WebhookDeliveries" ("State", "NextAttemptAt");

CREATE UNIQUE INDEX "IX_WebhookDeliveries_SubscriptionId_AuditSequence" ON "WebhookDeliveries" ("SubscriptionId", "AuditSequence");

CREATE TRIGGER "AuditEvents_refuse_update" BEFORE UPDATE ON "AuditEvents"
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE on AuditEvents refused'); END;

CREATE TRIGGER "AuditEvents_refuse_delete" BEFORE DELETE ON "AuditEvents"
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE on AuditEvents refused'); END;

CREATE TRIGGER "AuditCheckpoints_refuse_update" BEFORE UPDATE ON "AuditCheckpoints"
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE on AuditCheckpoints refused'); END;

CREATE TRIGGER "AuditCheckpoints_refuse_delete" BEFORE DELETE ON "AuditCheckpoints"
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE on AuditCheckpoints refused'); END;

CREATE TRIGGER "AuditEvents_refuse_replace" BEFORE INSERT ON "AuditEvents"
WHEN EXISTS (SELECT 1 FROM "AuditEvents" WHERE "Sequence" = NEW."Sequence")
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: an event with this sequence exists'); END;

CREATE TRIGGER "AuditCheckpoints_refuse_replace" BEFORE INSERT ON "AuditCheckpoints"
WHEN EXISTS (SELECT 1 FROM "AuditCheckpoints" WHERE "TreeSize" >= NEW."TreeSize")
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: a checkpoint must cover more events than every earlier one'); END;

CREATE TRIGGER "AuditHeads_refuse_rewind" BEFORE UPDATE ON "AuditHeads"
WHEN NEW."Sequence" <= OLD."Sequence" OR NEW."Id" <> OLD."Id"
BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END;

CREATE TRIGGER "AuditHeads_refuse_replace" BEFORE INSERT ON "AuditHeads"
WHEN EXISTS (SELECT 1 FROM "AuditHeads")
BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward: it cannot be inserted again'); END;

CREATE TRIGGER "AuditHeads_refuse_delete" BEFORE DELETE ON "AuditHeads"
BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward: DELETE refused'); END;

CREATE TRIGGER "ReportFiles_refuse_update" BEFORE UPDATE ON "ReportFiles"
BEGIN SELECT RAISE(ABORT, 'stored reports are immutable: UPDATE on ReportFiles refused'); END;

CREATE TRIGGER "ReportFiles_refuse_delete" BEFORE DELETE ON "ReportFiles"
BEGIN SELECT RAISE(ABORT, 'stored reports are immutable: DELETE on ReportFiles refused'); END;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261208000720_Baseline', '10.0.14');

COMMIT;


using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The DynamoDB operations the deploy lock uses (JSON 1.0, DynamoDB_20120810). Items are in DynamoDB's own JSON,
/// e.g. <c>{ "LockId": { "S": "prod" }, "ExpiresAt": { "N": "1767225600" } }</c>; a failed condition is an
/// <see cref="AwsServiceException"/> with code ConditionalCheckFailedException, a missing table ResourceNotFoundException.
/// </summary>
public sealed class DynamoDbClient(AwsSession session) : IDisposable
{
    public const string ConditionFailed = "ConditionalCheckFailedException";
    public const string TableMissing = "ResourceNotFoundException";

    /// <summary>The operations this client sends, under IAM prefix "dynamodb".</summary>
    public static readonly AwsOperations Sends = new("dynamodb", ["PutItem", "GetItem", "UpdateItem", "DeleteItem", "CreateTable", "DescribeTable"]);

    private readonly JsonProtocolClient _client = new(session, AwsService.DynamoDb);

    public Uri Endpoint => _client.Endpoint;

    /// <summary>Writes the item where the condition holds (none: always); returns the item it replaced, or null.</summary>
    public async Task<JsonObject?> PutItemAsync(string table, JsonObject item, string? condition, JsonObject? values, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["TableName"] = table, ["Item"] = item.DeepClone(), ["ReturnValues"] = "ALL_OLD" };
        AddCondition(request, condition, values);
        return (await _client.CallAsync("PutItem", request, cancellationToken))["Attributes"] as JsonObject;
    }

    /// <summary>The item with this key, read consistently, or null.</summary>
    public async Task<JsonObject?> GetItemAsync(string table, JsonObject key, CancellationToken cancellationToken)
        => (await _client.CallAsync("GetItem", new JsonObject { ["TableName"] = table, ["Key"] = key.DeepClone(), ["ConsistentRead"] = true }, cancellationToken))["Item"] as JsonObject;

    public Task UpdateItemAsync(string table, JsonObject key, string update, string condition, JsonObject values, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["TableName"] = table, ["Key"] = key.DeepClone(), ["UpdateExpression"] = update };
        AddCondition(request, condition, values);
        return _client.CallAsync("UpdateItem", request, cancellationToken);
    }

    public Task DeleteItemAsync(string table, JsonObject key, string? condition, JsonObject? values, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["TableName"] = table, ["Key"] = key.DeepClone() };
        AddCondition(request, condition, values);
        return _client.CallAsync("DeleteItem", request, cancellationToken);
    }

    /// <summary>Creates an on-demand table keyed by one string attribute; false when it exists already (ResourceInUseException).</summary>
    public async Task<bool> CreateTableAsync(string table, string hashKey, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CallAsync("CreateTable", new JsonObject
            {
                ["TableName"] = table,
                ["BillingMode"] = "PAY_PER_REQUEST",
                ["KeySchema"] = new JsonArray(new JsonObject { ["AttributeName"] = hashKey, ["KeyType"] = "HASH" }),
                ["AttributeDefinitions"] = new JsonArray(new JsonObject { ["AttributeName"] = hashKey, ["AttributeType"] = "S" }),
            }, cancellationToken);
            return true;
        }
        catch (AwsServiceException ex) when (ex.Code == "ResourceInUseException")
        {
            return false;
        }
    }

    /// <summary>The table's status (CREATING, ACTIVE, …), or null when it does not exist.</summary>
    public async Task<string?> DescribeTableStatusAsync(string table, CancellationToken cancellationToken)
    {
        try
        {
            return (string?)(await _client.CallAsync("DescribeTable", new JsonObject { ["TableName"] = table }, cancellationToken))["Table"]?["TableStatus"];
        }
        catch (AwsServiceException ex) when (ex.Code == TableMissing)
        {
            return null;
        }
    }

    public void Dispose() => _client.Dispose();

    private static void AddCondition(JsonObject request, string? condition, JsonObject? values)
    {
        if (condition is not null)
        {
            request["ConditionExpression"] = condition;
        }

        if (values is not null)
        {
            request["ExpressionAttributeValues"] = values.DeepClone();
        }
    }
}
